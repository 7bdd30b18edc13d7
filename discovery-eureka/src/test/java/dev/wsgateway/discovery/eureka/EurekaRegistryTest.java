package dev.wsgateway.discovery.eureka;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.netflix.discovery.DiscoveryClient;
import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.SelfRegistration;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.discovery.ServiceRoute;
import dev.wsgateway.testsupport.EurekaServerProcess;
import dev.wsgateway.testsupport.JdkClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static dev.wsgateway.discovery.eureka.EurekaTestSupport.SEED_METADATA;
import static dev.wsgateway.discovery.eureka.EurekaTestSupport.app;
import static dev.wsgateway.discovery.eureka.EurekaTestSupport.await;
import static dev.wsgateway.discovery.eureka.EurekaTestSupport.cancel;
import static dev.wsgateway.discovery.eureka.EurekaTestSupport.registry;
import static dev.wsgateway.discovery.eureka.EurekaTestSupport.restRegister;
import static dev.wsgateway.discovery.eureka.EurekaTestSupport.setStatus;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Eureka registry against a real Eureka server (one process for the whole class).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EurekaRegistryTest {
    private static final Duration FEW_SECONDS = Duration.ofSeconds(10);

    private EurekaServerProcess eureka;
    private ServiceRegistry registry;

    @BeforeAll
    void startEureka() {
        eureka = EurekaServerProcess.start();
        registry = registry(eureka.url(), Map.of("register", "false"));
        await(FEW_SECONDS, registry::ready, () -> "registry ready");
    }

    @AfterAll
    void stopEureka() {
        if (registry != null) {
            registry.close();
        }
        if (eureka != null) {
            eureka.close();
        }
    }

    @Test
    void providerIsFoundByType() {
        assertThat(registry instanceof EurekaRegistry, is(true));
        assertThat(new EurekaDiscoveryProvider().type(), is("eureka"));
    }

    @Test
    void javaServiceRegisteredWithNetflixClientAppears() {
        int port = EurekaServerProcess.freePort();
        DiscoveryClient service = EurekaTestSupport.javaService(eureka.url(), "DISCOVERABLECLIENT",
                                                                "127.0.0.1:discoverableclient:" + port, port,
                                                                SEED_METADATA);
        try {
            long ms = await(FEW_SECONDS, () -> !registry.instances("discoverableclient").isEmpty(),
                            () -> "DISCOVERABLECLIENT in " + registry.services());
            report("Netflix-client service visible after {0} ms", ms);
            ServiceInstance instance = registry.instances("DiscoverableClient").getFirst();
            assertThat(instance.serviceId(), is("discoverableclient"));
            assertThat(instance.instanceId(), is("127.0.0.1:discoverableclient:" + port));
            assertThat(instance.host(), is("127.0.0.1"));
            assertThat(instance.port(), is(port));
            assertThat(instance.secure(), is(false));
            assertThat(instance.status(), is(InstanceStatus.UP));
            assertThat(instance.metadata().get("apiml.routes.ws_v1.gatewayUrl"), is("ws/v1"));
            assertThat(instance.metadata().get("apiml.routes.ws_v1.serviceUrl"), is("/discoverableclient/ws"));
            assertThat(ServiceRoute.fromMetadata(instance.metadata()),
                       is(List.of(new ServiceRoute("ws_v1", "ws/v1", "/discoverableclient/ws"))));
        } finally {
            service.shutdown();
        }
        await(FEW_SECONDS, () -> registry.instances("discoverableclient").isEmpty(),
              () -> "DISCOVERABLECLIENT gone after shutdown: " + registry.instances("discoverableclient"));
    }

    @Test
    void restRegistrationAppearsPlainAndSecure() {
        restRegister(eureka.url(), "RESTPLAIN", "rest-plain-1", 10012, 10013, false, SEED_METADATA);
        restRegister(eureka.url(), "RESTSECURE", "rest-secure-1", 10014, 10015, true, SEED_METADATA);
        await(FEW_SECONDS, () -> registry.instances("restplain").size() == 1 && registry.instances("restsecure").size() == 1,
              () -> "REST services in " + registry.services());

        ServiceInstance plain = registry.instances("restplain").getFirst();
        assertThat(plain.secure(), is(false));
        assertThat(plain.port(), is(10012));
        assertThat(plain.host(), is("127.0.0.1"));
        assertThat(ServiceRoute.fromMetadata(plain.metadata()).getFirst().serviceUrl(), is("/discoverableclient/ws"));

        ServiceInstance secure = registry.instances("restsecure").getFirst();
        assertThat(secure.secure(), is(true));
        assertThat(secure.port(), is(10015));
        assertThat(secure.metadata(), is(SEED_METADATA));

        cancel(eureka.url(), "RESTPLAIN", "rest-plain-1");
        cancel(eureka.url(), "RESTSECURE", "rest-secure-1");
    }

    @Test
    void statusChangesAndCancelAreSeenAndListenersFire() {
        List<Set<String>> changes = new CopyOnWriteArrayList<>();
        registry.addListener(changes::add);
        restRegister(eureka.url(), "STATUSAPP", "status-1", 10020, 443, false, SEED_METADATA);
        await(FEW_SECONDS, () -> statusOf("statusapp").equals(Optional.of(InstanceStatus.UP)),
              () -> "STATUSAPP UP: " + registry.instances("statusapp"));
        assertThat(changes.stream().anyMatch(c -> c.contains("statusapp")), is(true));

        // fetch-interval (1 s) + 1 s, with a little slack for the server's response cache
        Duration limit = Duration.ofMillis(2500);
        changes.clear();
        setStatus(eureka.url(), "STATUSAPP", "status-1", "OUT_OF_SERVICE");
        long outMs = await(limit, () -> statusOf("statusapp").equals(Optional.of(InstanceStatus.OUT_OF_SERVICE)),
                           () -> "OUT_OF_SERVICE: " + registry.instances("statusapp"));
        assertThat(registry.instances("statusapp").getFirst().isUp(), is(false));
        assertThat(changes.stream().anyMatch(c -> c.contains("statusapp")), is(true));

        setStatus(eureka.url(), "STATUSAPP", "status-1", "DOWN");
        long downMs = await(limit, () -> statusOf("statusapp").equals(Optional.of(InstanceStatus.DOWN)),
                            () -> "DOWN: " + registry.instances("statusapp"));

        changes.clear();
        cancel(eureka.url(), "STATUSAPP", "status-1");
        long cancelMs = await(limit, () -> registry.instances("statusapp").isEmpty(),
                              () -> "cancelled: " + registry.instances("statusapp"));
        assertThat(registry.services().contains("statusapp"), is(false));
        assertThat(changes.stream().anyMatch(c -> c.contains("statusapp")), is(true));
        report("Seen after: OUT_OF_SERVICE {0} ms, DOWN {1} ms, cancel {2} ms", outMs, downMs, cancelMs);
    }

    @Test
    void failsOverWhenTheFirstEurekaIsDead() throws Exception {
        restRegister(eureka.url(), "FAILOVERAPP", "failover-1", 10030, 443, false, SEED_METADATA);
        // the first "Eureka" accepts connections and drops them at once: it counts that it was tried
        AtomicInteger tried = new AtomicInteger();
        try (ServerSocket dead = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!dead.isClosed()) {
                    try (Socket socket = dead.accept()) {
                        tried.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            String urls = "http://127.0.0.1:" + dead.getLocalPort() + "/eureka/," + eureka.url();
            try (ServiceRegistry second = registry(urls, Map.of("register", "false"))) {
                long ms = await(FEW_SECONDS, () -> second.ready() && !second.instances("failoverapp").isEmpty(),
                                () -> "failover fetch: ready=" + second.ready() + " " + second.services());
                report("Fetched through the second Eureka URL after {0} ms; first URL tried {1} times", ms, tried.get());
                assertThat("the dead first URL was tried", tried.get() > 0, is(true));
            }
        } finally {
            cancel(eureka.url(), "FAILOVERAPP", "failover-1");
        }
    }

    @Test
    void notReadyWhileNoEurekaAnswers() {
        int deadPort = EurekaServerProcess.freePort();
        try (ServiceRegistry dead = registry("http://127.0.0.1:" + deadPort + "/eureka/", Map.of("register", "false"))) {
            EurekaTestSupport.holds(Duration.ofMillis(1500), () -> !dead.ready(), () -> "ready without Eureka");
            assertThat(dead.services().isEmpty(), is(true));
        }
    }

    @Test
    void gatewayRegistersItselfAndDeregisters() {
        int port = EurekaServerProcess.freePort();
        String health = "http://127.0.0.1:" + port + "/application/health";
        try (ServiceRegistry gateway = registry(eureka.url(), Map.of())) {
            await(FEW_SECONDS, gateway::ready, () -> "gateway registry ready");
            gateway.register(new SelfRegistration("GATEWAY", "127.0.0.1:gateway:" + port, "127.0.0.1", port, -1,
                                                  health, "http://127.0.0.1:" + port + "/application/info",
                                                  Map.of("apiml.service.title", "WS gateway")));
            long ms = await(FEW_SECONDS, () -> app(eureka.url(), "GATEWAY") != null,
                            () -> "GATEWAY in Eureka");
            report("Gateway registered after {0} ms", ms);
            JsonNode instance = app(eureka.url(), "GATEWAY").path("application").path("instance").get(0);
            assertThat(instance, notNullValue());
            assertThat(instance.path("instanceId").asText(), is("127.0.0.1:gateway:" + port));
            assertThat(instance.path("hostName").asText(), is("127.0.0.1"));
            assertThat(instance.path("port").path("$").asInt(), is(port));
            assertThat(instance.path("port").path("@enabled").asText(), is("true"));
            assertThat(instance.path("securePort").path("@enabled").asText(), is("false"));
            assertThat(instance.path("healthCheckUrl").asText(), is(health));
            assertThat(instance.path("status").asText(), is("UP"));
            assertThat(instance.path("metadata").path("apiml.service.title").asText(), is("WS gateway"));
            // and the gateway sees itself through its own fetches
            await(FEW_SECONDS, () -> !gateway.instances("gateway").isEmpty(), () -> "gateway in its own registry");

            gateway.deregister();
            gateway.deregister(); // idempotent
            await(FEW_SECONDS, () -> app(eureka.url(), "GATEWAY") == null, () -> "GATEWAY gone after deregister");
        }
    }

    @Test
    void closeCancelsTheRegistration() {
        int port = EurekaServerProcess.freePort();
        ServiceRegistry gateway = registry(eureka.url(), Map.of("app-name", "GATEWAY2"));
        gateway.register(new SelfRegistration("GATEWAY", null, "localhost", -1, port,
                                              "https://localhost:" + port + "/application/health",
                                              "https://localhost:" + port + "/application/info", Map.of()));
        await(FEW_SECONDS, () -> app(eureka.url(), "GATEWAY2") != null, () -> "GATEWAY2 in Eureka");
        JsonNode instance = app(eureka.url(), "GATEWAY2").path("application").path("instance").get(0);
        assertThat(instance.path("hostName").asText(), is("localhost"));
        // what the gateway learns about its own entry: the backend's app name, instance id and host
        SelfRegistration published = gateway.registration().orElseThrow();
        assertThat(published.appName(), is("GATEWAY2"));
        assertThat(published.instanceId(), is(instance.path("instanceId").asText()));
        assertThat(published.instanceId(), is("localhost:gateway2:" + port));
        assertThat(published.host(), is("localhost"));
        assertThat(instance.path("securePort").path("$").asInt(), is(port));
        assertThat(instance.path("securePort").path("@enabled").asText(), is("true"));
        assertThat(instance.path("port").path("@enabled").asText(), is("false"));
        assertThat(instance.path("secureHealthCheckUrl").asText(), is("https://localhost:" + port + "/application/health"));
        gateway.close();
        gateway.close();
        await(FEW_SECONDS, () -> app(eureka.url(), "GATEWAY2") == null, () -> "GATEWAY2 gone after close");
    }

    @Test
    void registerSwitchedOffDoesNotRegister() {
        try (ServiceRegistry gateway = registry(eureka.url(), Map.of("register", "false", "app-name", "GATEWAY3"))) {
            gateway.register(new SelfRegistration("GATEWAY3", "gw3", "127.0.0.1", 10040, -1,
                                                  "http://127.0.0.1:10040/h", "http://127.0.0.1:10040/i", Map.of()));
            await(FEW_SECONDS, gateway::ready, () -> "ready");
            EurekaTestSupport.holds(Duration.ofMillis(1500), () -> app(eureka.url(), "GATEWAY3") == null,
                                    () -> "GATEWAY3 registered although register=false");
            assertThat(gateway.registration().isPresent(), is(false));
        }
    }

    @Test
    void nodeServiceRegisteredWithEurekaJsClientAppearsAndEchoes() throws Exception {
        assumeTrue(onPath("node"), "node is not on PATH: skipping the eureka-js-client test");
        Path dir = Path.of(System.getProperty("node.service.dir", "../test-support/node")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("node_modules"))) {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(new File("target/npm-ci.log")).start();
            assertThat("npm ci finished", npm.waitFor(120, TimeUnit.SECONDS), is(true));
            assertThat("npm ci exit code, see target/npm-ci.log", npm.exitValue(), is(0));
        }
        Process node = new ProcessBuilder("node", "echo-service.js", String.valueOf(eureka.port()), "NODEECHO")
                .directory(dir.toFile())
                .redirectError(new File("target/node-echo.err.log"))
                .start();
        try {
            String ready = readReadyLine(node);
            String[] parts = ready.split(" ");
            int port = Integer.parseInt(parts[1]);
            await(FEW_SECONDS, () -> !registry.instances("nodeecho").isEmpty(),
                  () -> "NODEECHO in " + registry.services());
            ServiceInstance instance = registry.instances("nodeecho").getFirst();
            assertThat(instance.host(), is("127.0.0.1"));
            assertThat(instance.port(), is(port));
            assertThat(instance.secure(), is(false));
            assertThat(instance.status(), is(InstanceStatus.UP));
            assertThat(instance.instanceId(), is(parts[2]));
            List<ServiceRoute> routes = ServiceRoute.fromMetadata(instance.metadata());
            assertThat(routes, hasItem(new ServiceRoute("ws_v1", "ws/v1", "/discoverableclient/ws")));

            // a real WebSocket echo at the address discovery gave us
            URI uri = URI.create("ws://" + instance.authority() + routes.getFirst().serviceUrl() + "/echo");
            assertThat(echo(uri, "hello eureka"), is("hello eureka"));
        } finally {
            node.getOutputStream().close(); // the script deregisters when stdin closes
            if (!node.waitFor(10, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        }
        await(FEW_SECONDS, () -> registry.instances("nodeecho").isEmpty(), () -> "NODEECHO gone after stop");
    }

    static void report(String pattern, Object... args) {
        System.getLogger(EurekaRegistryTest.class.getName())
                .log(System.Logger.Level.INFO, "[timing] " + java.text.MessageFormat.format(pattern, args));
    }

    private Optional<InstanceStatus> statusOf(String service) {
        return registry.instances(service).stream().findFirst().map(ServiceInstance::status);
    }

    private static String readReadyLine(Process node) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) {
                    if (l.startsWith("READY ")) {
                        return l;
                    }
                }
                return null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String ready = line.get(20, TimeUnit.SECONDS);
        assertThat("node service READY line (see target/node-echo.err.log)", ready, notNullValue());
        return ready;
    }

    private static String echo(URI uri, String text) throws Exception {
        try (JdkClient client = JdkClient.connect(uri)) {
            client.sendText(text);
            return client.nextText();
        }
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
