package dev.wsgateway.discovery.eureka;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EurekaClientSecurityTest {

    private static EurekaClientSecurity read(Map<String, String> values, Map<String, String> env) {
        return EurekaClientSecurity.from(Config.just(ConfigSources.create(values)), List.of("http://h/eureka/"),
                                         env::get);
    }

    @Test
    void defaultsVerifyHostNamesAndSendNothing() {
        EurekaSettings s = EurekaSettings.from(Config.empty());
        assertThat(s.security().verifyHostname(), is(true));
        assertThat(s.security().username(), is(Optional.empty()));
        assertThat(s.security().clientCertificate(), is(false));
    }

    @Test
    void credentialsInTheUrlLeaveTheUrlAndAreDecoded() {
        EurekaSettings s = EurekaSettings.from(Config.just(ConfigSources.create(
                Map.of("service-url", "https://zowe:p%40ss%3Aw@host:7553/eureka/,https://zowe:p%40ss%3Aw@other:7553/eureka"))));
        assertThat(s.serviceUrls(), is(List.of("https://host:7553/eureka/", "https://other:7553/eureka/")));
        assertThat(s.security().username(), is(Optional.of("zowe")));
        assertThat(s.security().password(), is(Optional.of("p@ss:w")));
        assertThat(s.toString(), not(containsString("p@ss")));
    }

    @Test
    void passwordFromAnEnvironmentVariable() {
        EurekaClientSecurity s = read(Map.of("username", "zowe", "password-env", "EUREKA_PW"),
                                      Map.of("EUREKA_PW", "from-env"));
        assertThat(s.password(), is(Optional.of("from-env")));
        assertThat(s.toString(), not(containsString("from-env")));
    }

    @Test
    void settingsFailClosedWithOneLine() {
        String[][] cases = {
                {"username", "zowe"},
                {"password", "alone"},
                {"tls.key-alias", "gw"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                      () -> read(Map.of(c[0], c[1]), Map.of()));
            assertThat(e.getMessage(), containsString("discovery.eureka."));
        }
        IllegalArgumentException unset = assertThrows(IllegalArgumentException.class, () -> read(
                Map.of("username", "zowe", "password-env", "NOT_SET_HERE"), Map.of("OTHER", "x")));
        assertThat(unset.getMessage(), containsString("NOT_SET_HERE, which is not set or empty"));
        IllegalArgumentException two = assertThrows(IllegalArgumentException.class, () -> EurekaSettings.from(
                Config.just(ConfigSources.create(Map.of("service-url", "http://a:b@h1/eureka/,http://c:d@h2/eureka/")))));
        assertThat(two.getMessage(), containsString("same credentials"));
        assertThat(two.getMessage(), not(containsString("b@")));
    }

    @Test
    void anUnreadableKeyStoreStopsTheStartNamingTheSetting() {
        EurekaSettings s = EurekaSettings.from(Config.just(ConfigSources.create(
                Map.of("tls.key-store", "/nonexistent/client.p12", "tls.key-store-password", "x"))));
        assertThat(s.security().keyStore(), is(Optional.of(Path.of("/nonexistent/client.p12"))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EurekaTls.context(s));
        assertThat(e.getMessage(), containsString("discovery.eureka.tls.key-store /nonexistent/client.p12"));
    }

    @Test
    void hostNameVerificationCanBeSwitchedOffExplicitly() {
        EurekaSettings s = EurekaSettings.from(Config.just(ConfigSources.create(
                Map.of("tls.verify-hostname", "false"))));
        assertThat(EurekaTls.hostnameVerifier(s.security()).orElseThrow().verify("any", null), is(true));
        assertThat(EurekaTls.hostnameVerifier(EurekaClientSecurity.NONE).isPresent(), is(false));
    }
}
