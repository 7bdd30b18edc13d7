package dev.wsgateway.gateway.security;

import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static dev.wsgateway.gateway.security.TestTokens.claims;
import static dev.wsgateway.gateway.security.TestTokens.sign;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The verifier alone, with keys made at test time and a fixed key source.
 */
class ZoweJwtTest {
    private static final KeyPair RSA = TestTokens.rsa();
    private static final KeyPair EC = TestTokens.ec();
    private static final KeyPair OTHER = TestTokens.rsa();
    private static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");
    private static final Duration SKEW = Duration.ofSeconds(30);
    private static final Map<String, PublicKey> KEYS = Map.of("rsa-1", RSA.getPublic(), "ec-1", EC.getPublic());
    private static final ZoweJwt.KeySource SOURCE = kid -> kid.map(k -> Optional.ofNullable(KEYS.get(k))
                    .map(List::of).orElse(List.<PublicKey>of()))
            .orElse(List.copyOf(KEYS.values()));

    private static String verify(String token, Optional<String> issuer) throws ZoweJwt.Rejected {
        return ZoweJwt.verify(token, SOURCE, issuer, SKEW, NOW);
    }

    private static String rejected(String token, Optional<String> issuer) {
        ZoweJwt.Rejected e = assertThrows(ZoweJwt.Rejected.class, () -> verify(token, issuer));
        assertThat("the reason never quotes the token", e.getMessage(), not(containsString(token)));
        return e.getMessage();
    }

    @Test
    void validRs256AndEs256TokensGiveTheirUser() throws Exception {
        String claims = claims("USER1", "APIML", NOW.plusSeconds(600));
        assertThat(verify(sign("rsa-1", RSA.getPrivate(), claims), Optional.of("APIML")), is("USER1"));
        assertThat(verify(sign("ec-1", EC.getPrivate(), claims), Optional.empty()), is("USER1"));
        assertThat("no kid: every key is tried", verify(sign(null, RSA.getPrivate(), claims), Optional.empty()),
                   is("USER1"));
    }

    @Test
    void expiredWithinAndBeyondTheClockSkew() throws Exception {
        assertThat(verify(sign("rsa-1", RSA.getPrivate(), claims("U", "APIML", NOW.minusSeconds(10))), Optional.empty()),
                   is("U"));
        assertThat(rejected(sign("rsa-1", RSA.getPrivate(), claims("U", "APIML", NOW.minusSeconds(31))),
                            Optional.empty()), is("expired"));
        assertThat(rejected(sign("rsa-1", RSA.getPrivate(), "{\"sub\":\"U\"}"), Optional.empty()), is("no exp"));
        assertThat(rejected(sign("rsa-1", RSA.getPrivate(),
                                 "{\"sub\":\"U\",\"exp\":" + NOW.plusSeconds(600).getEpochSecond() + ",\"nbf\":"
                                         + NOW.plusSeconds(60).getEpochSecond() + "}"), Optional.empty()),
                   is("not valid yet"));
    }

    @Test
    void wrongKeyUnknownKidAndTamperedTokensAreRefused() {
        String claims = claims("USER1", "APIML", NOW.plusSeconds(600));
        assertThat(rejected(sign("rsa-1", OTHER.getPrivate(), claims), Optional.empty()),
                   is("signature does not verify"));
        assertThat(rejected(sign("rsa-9", RSA.getPrivate(), claims), Optional.empty()), is("unknown key id"));
        String good = sign("rsa-1", RSA.getPrivate(), claims);
        String[] parts = good.split("\\.");
        String otherUser = parts[0] + "." + TestTokens.b64(claims("ADMIN", "APIML", NOW.plusSeconds(600))) + "."
                + parts[2];
        assertThat(rejected(otherUser, Optional.empty()), is("signature does not verify"));
        char last = parts[2].charAt(5);
        String flipped = parts[0] + "." + parts[1] + "." + parts[2].substring(0, 5) + (last == 'A' ? 'B' : 'A')
                + parts[2].substring(6);
        assertThat(rejected(flipped, Optional.empty()), is("signature does not verify"));
        assertThat("an RSA signature claimed as ES256", rejected(
                TestTokens.b64("{\"alg\":\"ES256\",\"kid\":\"rsa-1\"}") + "." + parts[1] + "." + parts[2],
                Optional.empty()), is("signature does not verify"));
    }

    @Test
    void algNoneAndHmacAreRefusedWhateverTheKeys() {
        String claims = claims("USER1", "APIML", NOW.plusSeconds(600));
        assertThat(rejected(TestTokens.unsigned(claims), Optional.empty()), is("algorithm none is not accepted"));
        assertThat(rejected(TestTokens.b64("{\"alg\":\"HS256\",\"kid\":\"rsa-1\"}") + "." + TestTokens.b64(claims)
                                    + ".c2ln", Optional.empty()), is("algorithm HS256 is not accepted"));
    }

    @Test
    void issuerMustMatchWhenSet() throws Exception {
        String token = sign("rsa-1", RSA.getPrivate(), claims("USER1", "SOMEONE", NOW.plusSeconds(600)));
        assertThat(rejected(token, Optional.of("APIML")), is("issuer does not match"));
        assertThat(verify(token, Optional.empty()), is("USER1"));
    }

    @Test
    void malformedTokensSayWhatIsWrong() {
        assertThat(rejected("abc", Optional.empty()), is("not a signed JWT"));
        assertThat(rejected("a.b.c.d", Optional.empty()), is("not a signed JWT"));
        assertThat(rejected("!!!.e30.sig", Optional.empty()), is("header is not base64url"));
        assertThat(rejected(TestTokens.b64("[1]") + ".e30.c2ln", Optional.empty()), is("header is not a JSON object"));
        assertThat(rejected("x".repeat(20_000), Optional.empty()), is("token too long"));
        assertThat(rejected(sign("rsa-1", RSA.getPrivate(), "{\"sub\":\"a\\nb\",\"exp\":"
                + NOW.plusSeconds(60).getEpochSecond() + "}"), Optional.empty()), is("sub is not a user name"));
    }
}
