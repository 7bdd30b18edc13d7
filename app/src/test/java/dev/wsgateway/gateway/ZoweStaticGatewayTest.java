package dev.wsgateway.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;

import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

/**
 * The gateway on {@code discovery.type: zowe-static}, over files in the format of Zowe's
 * {@code ZWE_STATIC_DEFINITIONS_DIR} (with the keys only Zowe's API Catalog uses): a wss client reaches a TLS service
 * through a TLS gateway at {@code /contextPath} + the route's {@code serviceRelativeUrl}; a file added while running is
 * routed after the next reload; a file broken while running keeps its last good service and says why once.
 */
class ZoweStaticGatewayTest {
    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static TestCerts certs;
    private static Path defs;
    private static HeaderEchoUpstream secure;
    private static HeaderEchoUpstream plain;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCerts.create();
        defs = Files.createTempDirectory("zowe-static-defs");
        // closed last, after the gateway that reads the directory
        TEARDOWN.closeAfterAll((AutoCloseable) ZoweStaticGatewayTest::deleteFiles);
        secure = TEARDOWN.closeAfterAll(HeaderEchoUpstream.tls(TestCerts.serverTls(certs.server)));
        plain = TEARDOWN.closeAfterAll(HeaderEchoUpstream.plain());
        Files.writeString(defs.resolve("secure.yml"), """
                # as an operator keeps it for Zowe
                services:
                    - serviceId: securezowe
                      catalogUiTileId: static
                      title: A TLS service with a WebSocket API
                      description: defined statically
                      instanceBaseUrls:
                        - https://localhost:%d/headers
                      homePageRelativeUrl: /
                      statusPageRelativeUrl: /application/info
                      healthCheckRelativeUrl: /application/health
                      routes:
                        - gatewayUrl: api/v1
                          serviceRelativeUrl: /api/v1
                        - gatewayUrl: ws/v1
                          serviceRelativeUrl: /ws
                      authentication:
                          scheme: bypass
                      apiInfo:
                        - apiId: test.securezowe
                          gatewayUrl: api/v1
                          version: 1.0.0
                      customMetadata:
                          apiml:
                              okToRetryOnAllOperations: true
                catalogUiTiles:
                    static:
                        title: Static services
                        description: from YAML
                """.formatted(secure.port()));
        gateway = TEARDOWN.gateway(TestGateway.start("server:\n" + TestCerts.serverTls(certs.server) + """
                gateway:
                  upstream:
                    tls:
                      trust-store: %s
                      trust-store-password: changeit
                discovery:
                  type: zowe-static
                  zowe-static:
                    directories: %s
                    reload-interval: PT1S
                """.formatted(certs.trustStore, defs)));
    }

    private static void deleteFiles() throws Exception {
        try (var files = Files.list(defs)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(defs);
        certs.delete();
    }

    @Test
    void aWssClientReachesTheTlsServiceAtItsContextPath() throws Exception {
        HttpClient https = HttpClient.newBuilder().sslContext(certs.clientContext()).build();
        for (String path : new String[] {"/securezowe/ws/v1/chat", "/ws/v1/securezowe/chat"}) {
            try (JdkClient client = JdkClient.connect(https, wss(path))) {
                assertThat(client.nextText(), is("authorization=-none-"));
                client.sendText("wss both ways, defined in a Zowe file");
                assertThat(client.nextText(), is("wss both ways, defined in a Zowe file"));
            }
        }
    }

    @Test
    void aFileAddedWhileRunningIsRoutedAndABrokenOneKeepsItsLastGoodService() throws Exception {
        HttpClient https = HttpClient.newBuilder().sslContext(certs.clientContext()).build();
        Path file = defs.resolve("added.yml");
        Files.writeString(file, """
                services:
                  - serviceId: addedlater
                    instanceBaseUrls: [ "http://127.0.0.1:%d/headers" ]
                    routes:
                      - gatewayUrl: ws/v1
                        serviceRelativeUrl: /
                """.formatted(plain.port()));
        TestGateway.await(() -> !gateway.gateway().registry().instances("addedlater").isEmpty(),
                          Duration.ofSeconds(10), "the added file was read");
        try (JdkClient client = JdkClient.connect(https, wss("/ws/v1/addedlater/x"))) {
            assertThat(client.nextText(), is("authorization=-none-"));
        }
        try (LogCapture log = LogCapture.attach()) {
            Files.writeString(file, "services:\n  - serviceId: addedlater\n    instanceBaseUrls: [ http://127.0.0.1/x ]\n");
            TestGateway.await(() -> !warnings(log).isEmpty(), Duration.ofSeconds(10), "the broken file is reported");
            TimeUnit.MILLISECONDS.sleep(2500);
            List<String> warnings = warnings(log);
            assertThat(warnings, hasSize(1));
            assertThat(warnings.getFirst(), containsString("added.yml is invalid"));
            assertThat(warnings.getFirst(), containsString("has no port number"));
            try (JdkClient client = JdkClient.connect(https, wss("/ws/v1/addedlater/x"))) {
                assertThat(client.nextText(), is("authorization=-none-"));
            }
        }
        Files.delete(file);
        TestGateway.await(() -> gateway.gateway().registry().instances("addedlater").isEmpty(),
                          Duration.ofSeconds(10), "the removed file's service is gone");
    }

    private static List<String> warnings(LogCapture log) {
        return log.records().stream()
                .filter(r -> r.getLevel() == java.util.logging.Level.WARNING)
                .map(LogRecord::getMessage)
                .filter(m -> m != null && m.startsWith("Zowe static definitions"))
                .toList();
    }

    private static URI wss(String path) {
        return URI.create("wss://localhost:" + gateway.port() + path);
    }
}
