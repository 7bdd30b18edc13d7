package dev.wsgateway.gateway.ingress;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.wsgateway.gateway.config.RoutePolicy;
import dev.wsgateway.gateway.http.Refusal;

import io.helidon.http.HeaderNames;
import io.helidon.http.WritableHeaders;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The checks of {@link HandshakeGuard} that need no connection: header validation, origin and cross-site policy, and
 * the handshake rate limiter.
 */
class HandshakeGuardTest {
    private static WritableHeaders<?> headers(String... namesAndValues) {
        WritableHeaders<?> headers = WritableHeaders.create();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(HeaderNames.create(namesAndValues[i]), namesAndValues[i + 1]);
        }
        return headers;
    }

    private static Refusal refused(Runnable check) {
        return assertThrows(Refusal.class, check::run);
    }

    private static RoutePolicy origins(boolean allowCrossSite, String... allowed) {
        return new RoutePolicy(RoutePolicy.AuthMode.PASSTHROUGH, Set.of(), false, Set.of(allowed), allowCrossSite);
    }

    @Test
    void ordinaryHeadersPass() {
        assertDoesNotThrow(() -> HandshakeGuard.validateHeaders(headers(
                "Host", "gateway:10010", "Upgrade", "websocket", "Connection", "Upgrade",
                "User-Agent", "x\ty (tab allowed) ~!#$%&'*+-.^_`| é", "X-Custom_Header.1", "")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\rb", "a\nb", "a\r\nX-Injected: 1", "a\0b", "\u0001", "a\u007Fb", "a\u0100b"})
    void controlCharactersInValuesAreRefused(String value) {
        Refusal refusal = refused(() -> HandshakeGuard.validateHeaders(headers("X-Note", value)));
        assertThat(refusal.status(), is(400));
        assertThat(refusal.error(), is("bad_header"));
        assertThat(refusal.getMessage(), is("Invalid character in header X-Note"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bad Name", "Bad:Name", "Bad(Name)", "Bad\"Name", "Bad/Name", "Bad@Name", "Bad\u00e9"})
    void invalidHeaderNamesAreRefused(String name) {
        Refusal refusal = refused(() -> HandshakeGuard.validateHeaders(headers(name, "v")));
        assertThat(refusal.status(), is(400));
        assertThat(refusal.error(), is("bad_header"));
        assertThat(refusal.getMessage(), is("Invalid header name"));
    }

    @Test
    void aLongHeaderNameIsCutInTheMessage() {
        String name = "X-" + "a".repeat(100);
        Refusal refusal = refused(() -> HandshakeGuard.validateHeaders(headers(name, "\n")));
        assertThat(refusal.getMessage(), is("Invalid character in header " + name.substring(0, 64)));
    }

    @Test
    void anyOriginByDefault() {
        assertDoesNotThrow(() -> HandshakeGuard.checkOrigin(RoutePolicy.DEFAULT,
                                                            headers("Origin", "https://evil.example",
                                                                    "Sec-Fetch-Site", "cross-site")));
        assertDoesNotThrow(() -> HandshakeGuard.checkOrigin(origins(true, "*"),
                                                            headers("Origin", "https://evil.example")));
    }

    @Test
    void listedOriginsPassComparedCaseInsensitivelyWithoutTrailingSlash() {
        RoutePolicy policy = origins(false, "https://app.example");
        assertDoesNotThrow(() -> HandshakeGuard.checkOrigin(policy, headers("Origin", "https://app.example")));
        assertDoesNotThrow(() -> HandshakeGuard.checkOrigin(policy, headers("Origin", "HTTPS://App.Example/")));
        // a listed origin may be cross-site
        assertDoesNotThrow(() -> HandshakeGuard.checkOrigin(policy, headers("Origin", "https://app.example",
                                                                            "Sec-Fetch-Site", "cross-site")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://evil.example", "http://app.example", "https://app.example:8443",
            "https://app.example.evil", "null"})
    void otherOriginsAreRefused(String origin) {
        Refusal refusal = refused(() -> HandshakeGuard.checkOrigin(origins(true, "https://app.example"),
                                                                   headers("Origin", origin)));
        assertThat(refusal.status(), is(403));
        assertThat(refusal.error(), is("origin_forbidden"));
        assertThat(refusal.getMessage(), is("Origin not allowed for this route"));
    }

    @Test
    void noOriginIsNotABrowserAndPassesAnOriginList() {
        assertDoesNotThrow(() -> HandshakeGuard.checkOrigin(origins(true, "https://app.example"), headers()));
    }

    @Test
    void crossSiteIsRefusedWhereForbidden() {
        RoutePolicy policy = origins(false);
        Refusal refusal = refused(() -> HandshakeGuard.checkOrigin(policy, headers("Origin", "https://a.example",
                                                                                   "Sec-Fetch-Site", " Cross-Site ")));
        assertThat(refusal.status(), is(403));
        assertThat(refusal.error(), is("cross_site_forbidden"));
        for (String site : new String[] {"same-origin", "same-site", "none"}) {
            assertDoesNotThrow(() -> HandshakeGuard.checkOrigin(policy, headers("Sec-Fetch-Site", site)));
        }
        assertDoesNotThrow(() -> HandshakeGuard.checkOrigin(policy, headers("Origin", "https://a.example")));
        assertDoesNotThrow(() -> HandshakeGuard.checkOrigin(origins(true), headers("Sec-Fetch-Site", "cross-site")));
    }

    @Test
    void rateLimiterAllowsTheBurstThenAsksToWaitPerClient() {
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(0.5, 3);
        assertThat(limiter.enabled(), is(true));
        assertThat(limiter.acquire("10.0.0.1"), is(0L));
        assertThat(limiter.acquire("10.0.0.1"), is(0L));
        assertThat(limiter.acquire("10.0.0.1"), is(0L));
        long wait = limiter.acquire("10.0.0.1");
        // one token every 2 s
        assertThat(wait >= 1, is(true));
        assertThat(wait, lessThanOrEqualTo(2L));
        assertThat("another client has its own bucket", limiter.acquire("10.0.0.2"), is(0L));
    }

    @Test
    void rateLimiterOffWhenRateIsZero() {
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(0, 1);
        assertThat(limiter.enabled(), is(false));
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.acquire("10.0.0.1"), is(0L));
        }
    }
}
