package dev.wsgateway.gateway.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ZoweTokenSettingsTest {

    private static Optional<ZoweTokenSettings> read(Map<String, String> values) {
        return ZoweTokenSettings.create(Config.just(ConfigSources.create(values)).get("gateway.security.zowe-jwt"));
    }

    @Test
    void offWithoutJwksUrlAndDefaultsWithIt() {
        assertThat(read(Map.of()).isPresent(), is(false));
        ZoweTokenSettings s = read(Map.of("gateway.security.zowe-jwt.jwks-url",
                                          "https://zos:7554/gateway/api/v1/auth/keys/public/all")).orElseThrow();
        assertThat(s.cookieName(), is("apimlAuthenticationToken"));
        assertThat(s.issuer(), is(Optional.empty()));
        assertThat(s.clockSkew(), is(Duration.ofSeconds(30)));
        assertThat(s.refreshMinInterval(), is(Duration.ofSeconds(30)));
        assertThat(s.maxAge(), is(Duration.ofHours(1)));
        assertThat(s.fetchTimeout(), is(Duration.ofSeconds(5)));
    }

    @Test
    void failsClosedWithOneLine() {
        String[][] cases = {
                {"gateway.security.zowe-jwt.issuer", "APIML", "jwks-url is required"},
                {"gateway.security.zowe-jwt.jwks-url", "ftp://zos/keys", "must be an http(s) URL"},
                {"gateway.security.zowe-jwt.jwks-url", "not a url at all", "jwks-url"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(Map.of(c[0], c[1])));
            assertThat(e.getMessage(), containsString(c[2]));
        }
        IllegalArgumentException store = assertThrows(IllegalArgumentException.class, () -> read(Map.of(
                "gateway.security.zowe-jwt.jwks-url", "https://zos/keys",
                "gateway.security.zowe-jwt.trust-store", "/nonexistent.p12")));
        assertThat(store.getMessage(), containsString("trust-store /nonexistent.p12 is not a file"));
    }
}
