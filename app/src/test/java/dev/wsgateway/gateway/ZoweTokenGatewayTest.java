package dev.wsgateway.gateway;

import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.wsgateway.gateway.security.TestTokens;
import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Zowe SSO tokens on an {@code auth: gateway} route, end to end: a token signed at test time with a key the local JWKS
 * endpoint publishes opens a session (as the token's user, the token not forwarded), by {@code Authorization: Bearer}
 * and by the {@code apimlAuthenticationToken} cookie; an expired token, an unsigned one and none at all get 401;
 * Basic users still work beside tokens.
 */
class ZoweTokenGatewayTest {
    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static final KeyPair KEY = TestTokens.rsa();
    private static TestTokens.JwksServer jwks;
    private static HeaderEchoUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        jwks = TEARDOWN.closeAfterAll(new TestTokens.JwksServer());
        jwks.set(TestTokens.jwks(List.of(TestTokens.jwk("apiml-1", KEY))));
        upstream = TEARDOWN.closeAfterAll(HeaderEchoUpstream.plain());
        gateway = TEARDOWN.gateway(TestGateway.start("""
                gateway:
                  security:
                    users:
                      - login: alice
                        password: alice-pw
                    services:
                      tokensvc:
                        auth: gateway
                    zowe-jwt:
                      jwks-url: %s
                      issuer: APIML
                """.formatted(jwks.url()) + TestGateway.services().add("tokensvc", upstream.port(), "/headers").yaml()));
    }

    private static String token(String user, Instant expires) {
        return TestTokens.sign("apiml-1", KEY.getPrivate(), TestTokens.claims(user, "APIML", expires));
    }

    @Test
    void aValidTokenOpensASessionAsItsUserByBearerAndByCookie() throws Exception {
        String token = token("ZOWEUSR", Instant.now().plusSeconds(600));
        for (Map<String, String> headers : List.of(Map.of("Authorization", "Bearer " + token),
                                                   Map.of("Cookie", "other=1; apimlAuthenticationToken=" + token))) {
            try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/tokensvc/x"), headers, List.of())) {
                assertThat("the token does not go upstream", client.nextText(), is("authorization=-none-"));
                assertThat(gateway.gateway().sessions().sessions().iterator().next().info().user(), is("ZOWEUSR"));
                client.sendText("with a Zowe token");
                assertThat(client.nextText(), is("with a Zowe token"));
            }
            gateway.awaitNoSessions(java.time.Duration.ofSeconds(8));
        }
    }

    @Test
    void expiredUnsignedAndMissingTokensAreRefusedAndNoTokenIsLogged() throws Exception {
        String valid = token("ZOWEUSR", Instant.now().plusSeconds(600));
        String expired = token("ZOWEUSR", Instant.now().minusSeconds(120));
        String unsigned = TestTokens.unsigned(TestTokens.claims("ZOWEUSR", "APIML", Instant.now().plusSeconds(600)));
        try (LogCapture log = LogCapture.attach()) {
            assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/tokensvc/x"),
                                               Map.of("Authorization", "Bearer " + expired)), is(401));
            assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/tokensvc/x"),
                                               Map.of("Cookie", "apimlAuthenticationToken=" + unsigned)), is(401));
            assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/tokensvc/x"), Map.of()), is(401));
            try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/tokensvc/x"),
                                                      Map.of("Authorization", "Bearer " + valid), List.of())) {
                assertThat(client.nextText(), is("authorization=-none-"));
            }
            gateway.awaitNoSessions(java.time.Duration.ofSeconds(8));
            for (var record : log.records()) {
                String text = record.getMessage() + " " + java.util.Arrays.toString(record.getParameters());
                for (String token : List.of(valid, expired, unsigned)) {
                    // the signature part alone is enough to tell a logged token
                    String tail = token.substring(token.lastIndexOf('.') + 1);
                    assertThat(text, tail.isEmpty() || !text.contains(tail), is(true));
                    assertThat(text, text.contains(token.substring(0, token.indexOf('.') + 20)), is(false));
                }
            }
        }
    }

    @Test
    void basicUsersStillWorkBesideTokens() throws Exception {
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString("alice:alice-pw".getBytes());
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/tokensvc/x"), Map.of("Authorization", basic),
                                                  List.of())) {
            assertThat(client.nextText(), is("authorization=-none-"));
        }
        // an expired token cookie beside Basic credentials: the explicit header is the one checked
        String expired = token("ZOWEUSR", Instant.now().minusSeconds(120));
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/tokensvc/x"),
                                                  Map.of("Authorization", basic,
                                                         "Cookie", "apimlAuthenticationToken=" + expired),
                                                  List.of())) {
            assertThat(client.nextText(), is("authorization=-none-"));
            assertThat(gateway.gateway().sessions().sessions().iterator().next().info().user(), is("alice"));
        }
    }
}
