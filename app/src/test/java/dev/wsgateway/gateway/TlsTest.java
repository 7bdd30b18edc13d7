package dev.wsgateway.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;

import javax.net.ssl.SSLSocket;

import dev.wsgateway.gateway.demo.EchoService;
import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * TLS on both legs with certificates made at test time: the gateway serves wss/https (PKCS12 keystore or PEM, TLS
 * 1.2+, a plain socket beside it), and reaches secure instances over wss validated against a trust store with host
 * name verification, a client certificate for mutual TLS, and the lab switch that turns verification off.
 */
class TlsTest {
    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static LogCapture logs;

    private static TestCerts certs;
    private static EchoService plainEcho;
    private static HeaderEchoUpstream good;
    private static HeaderEchoUpstream selfSigned;
    private static HeaderEchoUpstream wrongHost;
    private static HeaderEchoUpstream mutual;
    private static TestGateway gateway;        // TLS + plain socket, trust store, client certificate
    private static TestGateway lab;            // plain, verify-certificates: false, no client certificate
    private static HttpClient https;

    @BeforeAll
    static void start() throws Exception {
        logs = TEARDOWN.closeAfterAll(LogCapture.attach());
        certs = TestCerts.create();
        TEARDOWN.closeAfterAll(certs::delete);
        plainEcho = EchoService.start("127.0.0.1", 0);
        TEARDOWN.closeAfterAll(plainEcho::stop);
        good = TEARDOWN.closeAfterAll(HeaderEchoUpstream.tls(TestCerts.serverTls(certs.server)));
        selfSigned = TEARDOWN.closeAfterAll(HeaderEchoUpstream.tls(TestCerts.serverTls(certs.selfSigned)));
        wrongHost = TEARDOWN.closeAfterAll(HeaderEchoUpstream.tls(TestCerts.serverTls(certs.wrongHost)));
        mutual = TEARDOWN.closeAfterAll(HeaderEchoUpstream.tls(TestCerts.serverTls(certs.server) + """
                    client-auth: REQUIRED
                    endpoint-identification-algorithm: NONE
                    trust:
                      keystore:
                        passphrase: changeit
                        trust-store: true
                        resource:
                          path: %s
                """.formatted(certs.trustStore)));
        String services = services();
        gateway = TEARDOWN.gateway(TestGateway.start("""
                server:
                %s
                  sockets:
                    - name: plain
                      host: 127.0.0.1
                      port: 0
                gateway:
                  upstream:
                    tls:
                      trust-store: %s
                      trust-store-password: changeit
                      key-store: %s
                      key-store-password: changeit
                """.formatted(TestCerts.serverTls(certs.server), certs.trustStore, certs.client) + services));
        lab = TEARDOWN.gateway(TestGateway.start("""
                gateway:
                  upstream:
                    tls:
                      verify-certificates: false
                """ + services));
        https = HttpClient.newBuilder().sslContext(certs.clientContext()).build();
    }

    private static String services() {
        return TestGateway.services()
                .add("plain-echo", plainEcho.port(), "/echo")
                .secure("good", good.port(), "/headers")
                .secure("selfsigned", selfSigned.port(), "/headers")
                .secure("wronghost", wrongHost.port(), "/headers")
                .secure("mutual", mutual.port(), "/headers")
                .yaml();
    }

    private static URI wss(TestGateway g, String path) {
        return URI.create("wss://localhost:" + g.port() + path);
    }

    @Test
    void gatewayServesWssAndHttpsWithTheTrustedCa() throws Exception {
        try (JdkClient client = JdkClient.connect(https, wss(gateway, "/ws/v1/plain-echo/x"))) {
            client.sendText("over tls");
            assertThat(client.nextText(), is("over tls"));
        }
        HttpResponse<String> health = https.send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + gateway.port() + "/application/health")).build(),
                                                 HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode(), is(200));
    }

    @Test
    void onlyTls12AndUp() throws Exception {
        try (SSLSocket socket = (SSLSocket) certs.clientContext().getSocketFactory()
                .createSocket("localhost", gateway.port())) {
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol(), is("TLSv1.3"));
        }
        try (SSLSocket socket = (SSLSocket) certs.clientContext().getSocketFactory()
                .createSocket("localhost", gateway.port())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol(), is("TLSv1.2"));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TestGateway.start("""
                server:
                %s
                    protocols: [TLSv1.1, TLSv1.2]
                """.formatted(TestCerts.serverTls(certs.server))));
        assertThat(e.getMessage(), containsString("TLSv1.1"));
    }

    @Test
    void plainSocketBesideTlsAndNoPlainOnTheTlsPort() throws Exception {
        try (RawWsClient client = RawWsClient.connect(gateway.gateway().port("plain"), "/ws/v1/plain-echo/x")) {
            assertThat(client.status(), is(101));
            client.sendText("plain");
            assertThat(client.readUntil(0x1).text(), is("plain"));
        }
        int status;
        try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/plain-echo/x")) {
            status = client.status();
        } catch (IOException refused) {
            status = -1;
        }
        assertThat(status, not(is(101)));
    }

    @Test
    void pemKeyAndChainInsteadOfAKeystore() throws Exception {
        Path[] pem = TestCerts.toPem(certs.server);
        try (TestGateway pemGateway = TestGateway.start("""
                server:
                  tls:
                    private-key:
                      pem:
                        key:
                          resource:
                            path: %s
                        cert-chain:
                          resource:
                            path: %s
                """.formatted(pem[0], pem[1]) + services());
                JdkClient client = JdkClient.connect(https, wss(pemGateway, "/ws/v1/plain-echo/x"))) {
            client.sendText("pem");
            assertThat(client.nextText(), is("pem"));
        }
    }

    @Test
    void upstreamWssWithTrustedCertificateAndClientCertificate() throws Exception {
        for (String service : List.of("good", "mutual")) {
            try (JdkClient client = JdkClient.connect(https, wss(gateway, "/ws/v1/" + service + "/x"))) {
                assertThat(client.nextText(), is("authorization=-none-"));
                client.sendText("to " + service);
                assertThat(client.nextText(), is("to " + service));
            }
        }
    }

    @Test
    void untrustedOrWrongHostUpstreamIsRefusedWith502() throws Exception {
        int plainPort = gateway.gateway().port("plain");
        for (String service : List.of("selfsigned", "wronghost")) {
            try (RawWsClient client = RawWsClient.connect(plainPort, "/ws/v1/" + service + "/x")) {
                assertThat(service, client.status(), is(502));
                assertThat(service, client.body(), containsString("\"upstream_tls\""));
            }
        }
        // without a client certificate the mutual-TLS instance refuses the gateway
        try (RawWsClient client = RawWsClient.connect(lab.port(), "/ws/v1/mutual/x")) {
            assertThat(client.status(), is(502));
        }
    }

    @Test
    void verificationOffWorksAndWarns() throws Exception {
        for (String service : List.of("selfsigned", "wronghost")) {
            try (RawWsClient client = RawWsClient.connect(lab.port(), "/ws/v1/" + service + "/x")) {
                assertThat(service, client.status(), is(101));
                assertThat(client.readUntil(0x1).text(), is("authorization=-none-"));
            }
        }
        assertThat(logs.records().stream().anyMatch(r -> r.getLevel() == Level.WARNING
                && String.valueOf(r.getMessage()).contains("verify-certificates is false")), is(true));
    }
}
