package dev.wsgateway.gateway.security;

import java.net.URI;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import dev.wsgateway.gateway.config.ZoweTokenSettings;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.wsgateway.gateway.security.TestTokens.claims;
import static dev.wsgateway.gateway.security.TestTokens.jwk;
import static dev.wsgateway.gateway.security.TestTokens.jwks;
import static dev.wsgateway.gateway.security.TestTokens.sign;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The key set against a local JWKS endpoint: fetched once, cached, fetched again for an unknown key id (rotation) but
 * not more often than {@code refresh-min-interval}, kept when a fetch fails. Time is a test clock.
 */
class JwksKeysTest {
    private static final KeyPair FIRST = TestTokens.rsa();
    private static final KeyPair SECOND = TestTokens.ec();
    private static TestTokens.JwksServer server;

    @BeforeAll
    static void start() {
        server = new TestTokens.JwksServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ZoweTokenSettings settings(String url) {
        return new ZoweTokenSettings(URI.create(url), Optional.of("APIML"), "apimlAuthenticationToken",
                                     Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofHours(1),
                                     Duration.ofSeconds(2), Optional.empty(), Optional.empty());
    }

    @Test
    void unknownKidRefreshesOncePerIntervalAndRotationIsFollowed() throws Exception {
        server.set(jwks(List.of(jwk("k1", FIRST))));
        AtomicLong clock = new AtomicLong(0);
        JwksKeys keys = new JwksKeys(settings(server.url()), clock::get);
        int before = server.fetches();
        String claims = claims("USER1", "APIML", Instant.now().plusSeconds(600));

        assertThat(ZoweJwt.verify(sign("k1", FIRST.getPrivate(), claims), keys, Optional.of("APIML"),
                                  Duration.ZERO, Instant.now()), is("USER1"));
        assertThat(keys.keys(Optional.of("k1")), hasSize(1));
        assertThat("fetched once, then cached", server.fetches() - before, is(1));

        // the Zowe gateway rotates its key: a token with the new kid makes the gateway fetch again
        server.set(jwks(List.of(jwk("k1", FIRST), jwk("k2", SECOND))));
        clock.addAndGet(Duration.ofSeconds(31).toNanos());
        assertThat(ZoweJwt.verify(sign("k2", SECOND.getPrivate(), claims), keys, Optional.empty(), Duration.ZERO,
                                  Instant.now()), is("USER1"));
        assertThat(server.fetches() - before, is(2));

        // unknown kids within the interval do not make the gateway fetch again (no fetch per forged token)
        for (int i = 0; i < 5; i++) {
            String forged = sign("k" + (10 + i), TestTokens.rsa().getPrivate(), claims);
            ZoweJwt.Rejected e = assertThrows(ZoweJwt.Rejected.class, () -> ZoweJwt.verify(
                    forged, keys, Optional.empty(), Duration.ZERO, Instant.now()));
            assertThat(e.getMessage(), is("unknown key id"));
        }
        assertThat(server.fetches() - before, is(2));
    }

    @Test
    void aFailedFetchKeepsTheKeysThereWere() throws Exception {
        server.set(jwks(List.of(jwk("k1", FIRST))));
        AtomicLong clock = new AtomicLong(0);
        JwksKeys keys = new JwksKeys(settings(server.url()), clock::get);
        assertThat(keys.keys(Optional.of("k1")), hasSize(1));
        server.set("not json");
        clock.addAndGet(Duration.ofHours(2).toNanos());
        assertThat("stale keys are fetched again; the broken answer keeps them", keys.keys(Optional.of("k1")),
                   hasSize(1));
    }

    @Test
    void anUnreachableEndpointRefusesTokensWithoutThrowing() {
        JwksKeys keys = new JwksKeys(settings("http://127.0.0.1:1/keys"), System::nanoTime);
        assertThat(keys.keys(Optional.of("k1")), hasSize(0));
    }

    @Test
    void parseSkipsWhatItCannotUse() {
        String set = jwks(List.of(jwk("r", FIRST), jwk("e", SECOND),
                                  "{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"c2VjcmV0\"}",
                                  "{\"kty\":\"RSA\",\"kid\":\"enc\",\"use\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"}",
                                  "{\"kty\":\"EC\",\"kid\":\"bad\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}"));
        assertThat(JwksKeys.parse(set).keySet(), is(java.util.Set.of("r", "e")));
    }
}
