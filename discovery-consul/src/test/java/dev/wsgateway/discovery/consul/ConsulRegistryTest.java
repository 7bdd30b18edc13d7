package dev.wsgateway.discovery.consul;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.sun.net.httpserver.HttpServer;
import dev.wsgateway.discovery.Discovery;
import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.SelfRegistration;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.discovery.ServiceRoute;
import dev.wsgateway.testsupport.ConsulStandIn;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

/**
 * The provider against the Consul stand-in ({@link ConsulStandIn}: no real Consul can be installed here), through
 * HTTP on loopback: blocking queries, outages, readiness, ACL token, datacenter, TLS, self-registration.
 */
class ConsulRegistryTest {
    /** Set for the tests' JVM by the surefire configuration, as a user sets CONSUL_HTTP_TOKEN. */
    private static final String TOKEN_ENV = "CONSUL_TEST_TOKEN";
    private static final Duration QUICK = Duration.ofSeconds(1);
    private static final String PROVIDER_LOGGER = "dev.wsgateway.discovery.consul";

    private final List<ServiceRegistry> registries = new ArrayList<>();
    private final List<Handler> logHandlers = new ArrayList<>();
    private ConsulStandIn consul;

    @BeforeEach
    void startConsul() {
        consul = ConsulStandIn.start();
    }

    @AfterEach
    void stop() {
        registries.forEach(ServiceRegistry::close);
        consul.close();
        logHandlers.forEach(Logger.getLogger(PROVIDER_LOGGER)::removeHandler);
    }

    @Test
    void changesAreSeenWithinASecondThroughBlockingQueries() {
        consul.register(service("echo", "echo-1", 10001, "passing"));
        ServiceRegistry registry = registry("");
        await(registry::ready, Duration.ofSeconds(5), "first read");
        ServiceInstance echo = registry.instances("echo").getFirst();
        assertThat(echo.status(), is(InstanceStatus.UP));
        assertThat(echo.authority(), is("127.0.0.1:10001"));
        assertThat(ServiceRoute.fromMetadata(echo.metadata()), is(List.of(new ServiceRoute("ws_v1", "ws/v1", "/svc"))));
        // Consul's own "consul" service is not watched
        assertThat(registry.services(), is(java.util.Set.of("echo")));

        // quiet: the loops wait inside Consul instead of polling
        LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
        int before = consul.requests().size();
        LockSupport.parkNanos(QUICK.toNanos());
        assertThat("requests while nothing changed", consul.requests().size() - before, is(0));

        long statusChange = timed(() -> consul.checkStatus("echo-1", "critical"),
                                  () -> registry.instances("echo").getFirst().status() == InstanceStatus.DOWN);
        ConsulStandIn.Request last = lastRequest("/v1/health/service/echo");
        assertThat(last.query(), containsString("index="));
        assertThat(last.query(), containsString("wait=5000ms"));
        long added = timed(() -> consul.register(service("second", "second-1", 10002, "passing")),
                           () -> !registry.instances("second").isEmpty());
        long removed = timed(() -> consul.deregister("second-1"), () -> registry.instances("second").isEmpty());
        long recovered = timed(() -> consul.checkStatus("echo-1", "passing"),
                               () -> registry.instances("echo").getFirst().isUp());
        System.out.printf("Consul change seen after: status %d ms, new service %d ms, removed %d ms, back up %d ms%n",
                          statusChange, added, removed, recovered);
    }

    @Test
    void consulDownKeepsTheLastViewAndReadinessThenCatchesUp() {
        consul.register(service("echo", "echo-1", 10001, "passing"));
        ServiceRegistry registry = registry("");
        await(registry::ready, Duration.ofSeconds(5), "first read");
        consul.stop();
        LockSupport.parkNanos(Duration.ofMillis(1500).toNanos());
        assertThat(registry.ready(), is(true));
        assertThat(registry.instances("echo").getFirst().isUp(), is(true));
        assertThat("failed reads counted (wsgateway_discovery_failures_total)", registry.failures() > 0, is(true));
        // changed while this gateway could not see it
        consul.register(service("later", "later-1", 10003, "passing"));
        consul.checkStatus("echo-1", "critical");
        consul.restart();
        await(() -> !registry.instances("later").isEmpty()
                      && registry.instances("echo").getFirst().status() == InstanceStatus.DOWN,
              Duration.ofSeconds(3), "caught up after Consul returned");
    }

    @Test
    void notReadyUntilTheFirstSuccessfulRead() {
        consul.register(service("echo", "echo-1", 10001, "passing"));
        consul.stop();
        ServiceRegistry registry = registry("");
        LockSupport.parkNanos(QUICK.toNanos());
        assertThat(registry.ready(), is(false));
        assertThat(registry.services(), is(empty()));
        consul.restart();
        await(registry::ready, Duration.ofSeconds(3), "ready once Consul answers");
        assertThat(registry.instances("echo").size(), is(1));
    }

    @Test
    void aclTokenFromTheEnvironmentIsSentAndNeverLogged() throws Exception {
        String token = System.getenv(TOKEN_ENV);
        assertThat("surefire sets " + TOKEN_ENV, token != null, is(true));
        consul.requireToken(token);
        consul.register(service("echo", "echo-1", 10001, "passing"));
        List<String> logged = captureLogs();

        ServiceRegistry withToken = registry("token-env: " + TOKEN_ENV + "\nregister: true");
        ServiceRegistry withoutToken = registry("token-env: WSGATEWAY_NOT_SET_ANYWHERE");
        await(withToken::ready, Duration.ofSeconds(5), "ready with the token");
        withToken.register(self(1));
        await(() -> consul.registration("127.0.0.1:gateway:1").isPresent(), Duration.ofSeconds(5), "registered");
        LockSupport.parkNanos(QUICK.toNanos());
        assertThat(withoutToken.ready(), is(false));

        List<ConsulStandIn.Request> requests = consul.requests();
        assertThat(requests.stream().anyMatch(r -> r.path().equals("/v1/agent/service/register")
                && token.equals(r.token())), is(true));
        assertThat(requests.stream().filter(r -> r.token() != null && !r.token().equals(token)).toList(), is(empty()));
        assertThat(requests.stream().anyMatch(r -> r.token() == null), is(true));
        assertThat(String.join("\n", logged), containsString("HTTP 403"));
        for (String line : logged) {
            assertThat(line, not(containsString(token)));
        }
    }

    @Test
    void datacenterIsSentAndAnUnknownOneIsNotReady() {
        consul.register(service("echo", "echo-1", 10001, "passing"));
        ServiceRegistry dc1 = registry("datacenter: " + ConsulStandIn.DATACENTER);
        ServiceRegistry dc2 = registry("datacenter: dc2");
        await(dc1::ready, Duration.ofSeconds(5), "ready in dc1");
        assertThat(lastRequest("/v1/health/service/echo").query(), containsString("dc=dc1"));
        LockSupport.parkNanos(QUICK.toNanos());
        assertThat(dc2.ready(), is(false));
    }

    @Test
    void selfRegistrationWithAReadinessCheckAndDeregistration() throws Exception {
        AtomicInteger readiness = new AtomicInteger(200);
        HttpServer health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        health.createContext("/application/health/ready", exchange -> {
            exchange.sendResponseHeaders(readiness.get(), -1);
            exchange.close();
        });
        health.start();
        try {
            int port = health.getAddress().getPort();
            String id = "127.0.0.1:gateway:" + port;
            ServiceRegistry registry = registry("register: true\ncheck:\n  interval: PT0.2S\n  timeout: PT1S");
            await(registry::ready, Duration.ofSeconds(5), "first read");

            // the agent is down when the gateway registers: it is retried
            consul.stop();
            registry.register(self(port));
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
            consul.restart();
            await(() -> consul.registration(id).isPresent(), Duration.ofSeconds(3), "registered after Consul returned");

            JsonObject body = consul.registration(id).orElseThrow();
            assertThat(body.getString("Name"), is("gateway"));
            assertThat(body.getString("Address"), is("127.0.0.1"));
            assertThat(body.getInt("Port"), is(port));
            assertThat(body.getJsonObject("Meta").getString("apiml_service_title"), is("WebSocket gateway"));
            assertThat(body.getJsonObject("Check").getString("HTTP"),
                       is("http://127.0.0.1:" + port + "/application/health/ready"));
            // the stand-in runs the HTTP check like an agent: passing while ready, critical when not
            await(() -> consul.serviceStatus(id).orElse("").equals("passing"), Duration.ofSeconds(3), "check passing");
            await(() -> registry.instances("gateway").stream().anyMatch(ServiceInstance::isUp),
                  Duration.ofSeconds(3), "the gateway sees itself UP");
            readiness.set(503);
            await(() -> registry.instances("gateway").stream().anyMatch(i -> i.status() == InstanceStatus.DOWN),
                  Duration.ofSeconds(3), "the gateway sees itself DOWN when not ready");

            registry.deregister();
            assertThat(consul.registration(id).isPresent(), is(false));
            registry.deregister();
            assertThat(consul.requests().stream()
                               .filter(r -> r.path().startsWith("/v1/agent/service/deregister/")).count(), is(1L));
        } finally {
            health.stop(0);
        }
    }

    @Test
    void httpsWithATrustStoreAndHostNameVerification() throws Exception {
        consul.close();
        Path dir = Files.createTempDirectory("consul-tls");
        var anotherName = java.util.concurrent.CompletableFuture.supplyAsync(() -> selfSigned(dir, "consul.example"));
        KeyStore localhost = selfSigned(dir, "localhost");
        Path trustStore = trustStore(dir, localhost, anotherName.get(30, TimeUnit.SECONDS));
        consul = ConsulStandIn.start(serverContext(localhost));
        consul.register(service("echo", "echo-1", 10001, "passing"));
        try (ConsulStandIn misnamed = ConsulStandIn.start(serverContext(anotherName.get()))) {
            misnamed.register(service("echo", "echo-1", 10001, "passing"));
            String trust = "tls:\n  trust-store: " + trustStore + "\n  trust-store-password: changeit";
            ServiceRegistry trusting = registry("url: https://localhost:" + consul.port() + "\n" + trust);
            ServiceRegistry defaultTrust = registry("url: https://localhost:" + consul.port() + "\n");
            ServiceRegistry wrongName = registry("url: https://localhost:" + misnamed.port() + "\n" + trust);
            await(trusting::ready, Duration.ofSeconds(5), "ready over https with the trust store");
            assertThat(trusting.instances("echo").size(), is(1));
            LockSupport.parkNanos(QUICK.toNanos());
            assertThat("certificate not trusted by the JVM", defaultTrust.ready(), is(false));
            assertThat("certificate for another host name", wrongName.ready(), is(false));
        }
    }

    @Test
    void httpsWithAClientCertificate() throws Exception {
        consul.close();
        Path dir = Files.createTempDirectory("consul-mtls");
        var client = java.util.concurrent.CompletableFuture.supplyAsync(() -> selfSigned(dir, "gateway-client"));
        var stranger = java.util.concurrent.CompletableFuture.supplyAsync(() -> selfSigned(dir, "stranger"));
        KeyStore localhost = selfSigned(dir, "localhost");
        Path trustStore = trustStore(dir, localhost);
        // the server accepts exactly the gateway's (self-signed) client certificate
        KeyStore clients = KeyStore.getInstance("PKCS12");
        clients.load(null, null);
        clients.setCertificateEntry("gateway", client.get(30, TimeUnit.SECONDS).getCertificate("1"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(clients);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(localhost, "changeit".toCharArray());
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        stranger.get(30, TimeUnit.SECONDS);
        consul = ConsulStandIn.start(server, true);
        consul.register(service("echo", "echo-1", 10001, "passing"));
        String base = "url: https://localhost:" + consul.port() + "\ntls:\n  trust-store: " + trustStore
                + "\n  trust-store-password: changeit\n";
        ServiceRegistry withCertificate = registry(base + "  key-store: " + dir.resolve("gateway-client.p12")
                                                           + "\n  key-store-password: changeit\n");
        ServiceRegistry without = registry(base);
        ServiceRegistry untrusted = registry(base + "  key-store: " + dir.resolve("stranger.p12")
                                                     + "\n  key-store-password: changeit\n");
        await(withCertificate::ready, Duration.ofSeconds(5), "ready over mutual TLS");
        assertThat(withCertificate.instances("echo").size(), is(1));
        LockSupport.parkNanos(QUICK.toNanos());
        assertThat("no client certificate", without.ready(), is(false));
        assertThat("a client certificate the server does not trust", untrusted.ready(), is(false));
        IllegalArgumentException noKey = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> registry(base + "  key-store: " + dir.resolve("gateway-client.p12")
                        + "\n  key-store-password: changeit\n  key-alias: other\n"));
        assertThat(noKey.getMessage(), org.hamcrest.Matchers.containsString("key-alias other names no key"));
    }

    private ServiceRegistry registry(String extraYaml) {
        String yaml = (extraYaml.contains("url:") ? "" : "url: " + consul.url() + "\n") + """
                wait: PT5S
                register: false
                retry:
                  initial-delay: PT0.1S
                  max-delay: PT0.5S
                """ + extraYaml;
        // a second "register" key would be a YAML error: the extra block's wins
        if (extraYaml.contains("register:")) {
            yaml = yaml.replace("register: false\n", "");
        }
        ServiceRegistry registry = Discovery.create("consul", Config.just(ConfigSources.create(
                yaml, MediaTypes.APPLICATION_X_YAML)));
        registries.add(registry);
        return registry;
    }

    /** A service definition as a team would register it, routes in Meta, one TTL check with the given status. */
    static String service(String name, String id, int port, String status) {
        return """
                {"ID": "%s", "Name": "%s", "Address": "127.0.0.1", "Port": %d, "Tags": ["ws"],
                 "Meta": {"apiml_routes_ws_v1_gatewayUrl": "ws/v1", "apiml_routes_ws_v1_serviceUrl": "/svc"},
                 "Check": {"TTL": "30s", "Status": "%s"}}
                """.formatted(id, name, port, status);
    }

    private static SelfRegistration self(int port) {
        String base = "http://127.0.0.1:" + port;
        return new SelfRegistration("GATEWAY", null, "127.0.0.1", port, -1, base + "/application/health",
                                    base + "/application/websockets", Map.of("apiml.service.title", "WebSocket gateway"));
    }

    private ConsulStandIn.Request lastRequest(String path) {
        return consul.requests().stream().filter(r -> r.path().equals(path)).reduce((a, b) -> b).orElseThrow();
    }

    /**
     * Make a change in Consul and measure how long until the registry shows it; fails beyond a second.
     */
    private static long timed(Runnable change, BooleanSupplier seen) {
        long start = System.nanoTime();
        change.run();
        await(seen, QUICK, "change seen within a second");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(millis, lessThan(QUICK.toMillis()));
        return millis;
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out: " + what);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    /**
     * Every record of the provider's loggers, formatted with its parameters and exception, from now on.
     */
    private List<String> captureLogs() {
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger(PROVIDER_LOGGER);
        logger.setLevel(Level.ALL);
        SimpleFormatter formatter = new SimpleFormatter();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(formatter.format(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        logHandlers.add(handler);
        return lines;
    }

    /**
     * A self-signed server certificate for {@code dnsName}, made with the JDK's keytool (key under alias "1").
     */
    private static KeyStore selfSigned(Path dir, String dnsName) {
        Path keyStore = dir.resolve(dnsName + ".p12");
        try {
            keytool("-genkeypair", "-alias", "1", "-keyalg", "EC", "-dname", "CN=" + dnsName,
                    "-ext", "san=dns:" + dnsName, "-validity", "2", "-keystore", keyStore.toString());
            return KeyStore.getInstance(keyStore.toFile(), "changeit".toCharArray());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static SSLContext serverContext(KeyStore keyStore) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }

    /**
     * A PKCS12 trust store holding the certificates of the given key stores.
     */
    private static Path trustStore(Path dir, KeyStore... keyStores) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < keyStores.length; i++) {
            trust.setCertificateEntry("server-" + i, keyStores[i].getCertificate("1"));
        }
        Path path = dir.resolve("trust.p12");
        try (var out = Files.newOutputStream(path)) {
            trust.store(out, "changeit".toCharArray());
        }
        return path;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", "changeit", "-storetype", "PKCS12"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + ": " + out);
        }
    }
}
