package dev.wsgateway.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.wsgateway.testsupport.EurekaServerProcess;
import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

/**
 * The gateway against a Eureka server that speaks HTTPS and requires a client certificate (Zowe's Discovery Service
 * in its default mode), all certificates made at test time: with a trusted client certificate (from a JKS store
 * holding two keys, the right one chosen by alias) it fetches, registers itself and routes; without a client
 * certificate, or with one the server does not trust, readiness stays down and one log line says why. A server
 * certificate that does not name the host is refused unless {@code tls.verify-hostname: false}.
 */
class EurekaMutualTlsTest {
    private static final HttpClient PLAIN = HttpClient.newHttpClient();

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static TestCerts certs;
    private static Path jks;
    private static EurekaServerProcess eureka;
    private static NodeUpstream node;
    private static HttpClient mtls;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCerts.create();
        jks = certs.dir.resolve("gateway.jks");
        importKey(certs.client, "gw");
        importKey(certs.selfSigned, "other");
        SSLContext clientTls = clientContext(certs.client);
        mtls = HttpClient.newBuilder().sslContext(clientTls).build();
        eureka = TEARDOWN.closeAfterAll(EurekaServerProcess.start(
                EurekaServerProcess.freePort(), true, clientTls, null,
                List.of("--server.ssl.enabled=true",
                        "--server.ssl.key-store=" + certs.server,
                        "--server.ssl.key-store-password=" + TestCerts.PASSWORD,
                        "--server.ssl.key-store-type=PKCS12",
                        "--server.ssl.key-alias=1",
                        "--server.ssl.client-auth=need",
                        "--server.ssl.trust-store=" + certs.trustStore,
                        "--server.ssl.trust-store-password=" + TestCerts.PASSWORD,
                        "--server.ssl.trust-store-type=PKCS12")));
        node = TEARDOWN.closeAfterAll(NodeUpstream.start());
    }

    @AfterAll
    static void deleteCerts() throws Exception {
        certs.delete();
    }

    @Test
    void aTrustedClientCertificateFetchesRegistersAndRoutes() throws Exception {
        registerByRest("MTLSSVC", "mtls-1", node.port());
        try (TestGateway gateway = TestGateway.start(config(true, """
                      key-store: %s
                      key-store-password: changeit
                      key-alias: gw
                """.formatted(jks)))) {
            TestGateway.await(() -> !gateway.gateway().registry().instances("mtlssvc").isEmpty(),
                              Duration.ofSeconds(30), "the gateway fetched over mutual TLS");
            try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/mtlssvc/chat"))) {
                client.sendText("over a registry that wants certificates");
                assertThat(client.nextText(), is("over a registry that wants certificates"));
            }
            assertThat(ready(gateway), is(200));
            TestGateway.await(() -> eurekaApp("GATEWAY").contains("\"port\":{\"$\":" + gateway.port()),
                              Duration.ofSeconds(30), "the gateway registered itself over mutual TLS");
            gateway.awaitNoSessions(Duration.ofSeconds(8));
        }
    }

    @Test
    void withoutAClientCertificateReadinessStaysDownAndTheLogSaysWhy() throws Exception {
        refused("", "TLS handshake failed");
    }

    @Test
    void anUntrustedClientCertificateLeavesReadinessDownAndTheLogSaysWhy() throws Exception {
        refused("""
                      key-store: %s
                      key-store-password: changeit
                """.formatted(certs.selfSigned), "TLS handshake failed");
    }

    @Test
    void hostNamesAreVerifiedUnlessSwitchedOff() throws Exception {
        // a second server whose certificate names wrong.example only, reached as 127.0.0.1
        try (EurekaServerProcess wrongHost = EurekaServerProcess.start(
                EurekaServerProcess.freePort(), true, clientContext(certs.client), null,
                List.of("--server.ssl.enabled=true",
                        "--server.ssl.key-store=" + certs.wrongHost,
                        "--server.ssl.key-store-password=" + TestCerts.PASSWORD,
                        "--server.ssl.key-store-type=PKCS12",
                        "--server.ssl.key-alias=1"));
                LogCapture log = LogCapture.attach()) {
            String yaml = config(false, "").replace(eureka.url(), wrongHost.url());
            try (TestGateway strict = TestGateway.start(yaml)) {
                TestGateway.await(() -> !lines(log, "Eureka fetch failed").isEmpty(), Duration.ofSeconds(20),
                                  "the host name mismatch is reported");
                assertThat(lines(log, "Eureka fetch failed").getFirst(),
                           containsString("does not name this host (discovery.eureka.tls.verify-hostname)"));
                assertThat(ready(strict), is(503));
            }
            try (TestGateway lenient = TestGateway.start(yaml + "      verify-hostname: false\n")) {
                TestGateway.await(() -> lenient.gateway().registry().ready(), Duration.ofSeconds(20),
                                  "with verify-hostname: false the trusted certificate is enough");
            }
        }
    }

    private static void refused(String keyStoreYaml, String reason) throws Exception {
        try (LogCapture log = LogCapture.attach();
                TestGateway gateway = TestGateway.start(config(false, keyStoreYaml))) {
            TestGateway.await(() -> lines(log, "Eureka fetch failed").size() == 1, Duration.ofSeconds(20),
                              "one line on the refused fetch");
            // several fetch rounds later: still not ready, still one line
            TimeUnit.SECONDS.sleep(3);
            assertThat(ready(gateway), is(503));
            List<String> lines = lines(log, "Eureka fetch failed");
            assertThat(lines, hasSize(1));
            assertThat(lines.getFirst(), containsString(reason));
            assertThat(lines.getFirst(), containsString(eureka.url()));
            assertThat(lines.getFirst(), containsString("discovery.eureka.tls."));
            List<LogRecord> traces = log.records().stream()
                    .filter(r -> r.getThrown() != null && r.getLevel().intValue() >= Level.INFO.intValue())
                    .toList();
            assertThat(traces.stream().map(LogRecord::getMessage).toList(), is(empty()));
        }
    }

    private static List<String> lines(LogCapture log, String prefix) {
        List<String> lines = new ArrayList<>();
        for (LogRecord r : log.records()) {
            if (r.getMessage() != null && r.getMessage().startsWith(prefix)) {
                lines.add(r.getMessage());
            }
        }
        return lines;
    }

    private static String config(boolean register, String keyStoreYaml) {
        return """
                gateway:
                  instance:
                    host: 127.0.0.1
                discovery:
                  type: eureka
                  eureka:
                    service-url: %s
                    fetch-interval: PT1S
                    lease-renewal-interval: PT1S
                    lease-expiration: PT3S
                    register: %s
                    tls:
                      trust-store: %s
                      trust-store-password: changeit
                """.formatted(eureka.url(), register, certs.trustStore) + keyStoreYaml;
    }

    private static int ready(TestGateway gateway) throws Exception {
        return PLAIN.send(HttpRequest.newBuilder(gateway.http("/application/health/ready")).build(),
                          HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static void registerByRest(String app, String instanceId, int port) throws Exception {
        String body = """
                {"instance":{"instanceId":"%2$s","hostName":"127.0.0.1","app":"%1$s","ipAddr":"127.0.0.1",
                "status":"UP","port":{"$":%3$d,"@enabled":"true"},"securePort":{"$":443,"@enabled":"false"},
                "vipAddress":"%1$s","dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo",
                "name":"MyOwn"},"metadata":{"apiml.routes.ws_v1.gatewayUrl":"ws/v1",
                "apiml.routes.ws_v1.serviceUrl":"/svc"}}}
                """.formatted(app, instanceId, port);
        HttpResponse<String> response = mtls.send(HttpRequest.newBuilder(URI.create(eureka.url() + "apps/" + app))
                                                          .header("Content-Type", "application/json")
                                                          .POST(HttpRequest.BodyPublishers.ofString(body))
                                                          .build(),
                                                  HttpResponse.BodyHandlers.ofString());
        assertThat(response.body(), response.statusCode(), is(204));
    }

    private static String eurekaApp(String app) {
        try {
            return mtls.send(HttpRequest.newBuilder(URI.create(eureka.url() + "apps/" + app))
                                     .header("Accept", "application/json").build(),
                             HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    /** Trusts the test CA and offers the key of {@code store} (alias "1"). */
    private static SSLContext clientContext(Path store) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(TestCerts.load(store), TestCerts.PASSWORD.toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(TestCerts.load(certs.trustStore));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    /** Copies the key "1" of a PKCS12 store into the JKS store under {@code alias}. */
    private static void importKey(Path from, String alias) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                                       "-J-XX:TieredStopAtLevel=1", "-importkeystore", "-noprompt",
                                       "-srckeystore", from.toString(), "-srcstoretype", "PKCS12",
                                       "-srcstorepass", TestCerts.PASSWORD, "-srcalias", "1",
                                       "-destkeystore", jks.toString(), "-deststoretype", "JKS",
                                       "-deststorepass", TestCerts.PASSWORD, "-destkeypass", TestCerts.PASSWORD,
                                       "-destalias", alias)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out, p.waitFor(), is(0));
    }
}
