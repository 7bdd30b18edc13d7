package dev.wsgateway.discovery.eureka;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EurekaSettingsTest {

    @Test
    void defaults() {
        EurekaSettings s = EurekaSettings.from(Config.empty());
        assertThat(s.serviceUrls(), is(List.of("http://localhost:8761/eureka/")));
        assertThat(s.fetchIntervalSeconds(), is(5));
        assertThat(s.connectTimeoutMillis(), is(2000));
        assertThat(s.readTimeoutMillis(), is(5000));
        assertThat(s.preferIpAddress(), is(false));
        assertThat(s.register(), is(true));
        assertThat(s.appName(), is(Optional.empty()));
        assertThat(s.leaseRenewalSeconds(), is(10));
        assertThat(s.leaseExpirationSeconds(), is(30));
        assertThat(s.trustStore(), is(Optional.empty()));
    }

    @Test
    void commaSeparatedServiceUrlsGetTrailingSlash() {
        EurekaSettings s = EurekaSettings.from(Config.just(ConfigSources.create(
                Map.of("service-url", "http://a:8761/eureka, http://b:8761/eureka/"))));
        assertThat(s.serviceUrls(), is(List.of("http://a:8761/eureka/", "http://b:8761/eureka/")));
    }

    @Test
    void serviceUrlsAsList() {
        EurekaSettings s = EurekaSettings.from(Config.just(ConfigSources.create(
                Map.of("service-url.0", "http://a:8761/eureka/", "service-url.1", "http://b:8761/eureka/",
                       "tls.trust-store", "/etc/trust.p12", "app-name", "gw"))));
        assertThat(s.serviceUrls(), is(List.of("http://a:8761/eureka/", "http://b:8761/eureka/")));
        assertThat(s.trustStore().orElseThrow().toString(), is("/etc/trust.p12"));
        assertThat(s.appName(), is(Optional.of("gw")));
    }

    @Test
    void durationsAreIso8601AndTheOldPlainNumbersStopTheStartWithTheNewForm() {
        EurekaSettings s = from(Map.of("fetch-interval", "PT2S", "connect-timeout", "PT0.5S", "read-timeout", "PT3S",
                                       "lease-renewal-interval", "PT4S", "lease-expiration", "PT12S",
                                       "registry-loss-grace", "PT0S"));
        assertThat(s.fetchIntervalSeconds(), is(2));
        assertThat(s.connectTimeoutMillis(), is(500));
        assertThat(s.readTimeoutMillis(), is(3000));
        assertThat(s.leaseRenewalSeconds(), is(4));
        assertThat(s.leaseExpirationSeconds(), is(12));
        assertThat(s.registryLossGraceSeconds(), is(0));
        IllegalArgumentException old = assertThrows(IllegalArgumentException.class,
                                                    () -> from(Map.of("connect-timeout", "2000")));
        assertThat(old.getMessage(), is("discovery.eureka.connect-timeout = '2000': expected an ISO-8601 duration "
                + "such as PT2S (plain numbers of milliseconds or seconds are no longer read)"));
        IllegalArgumentException fraction = assertThrows(IllegalArgumentException.class,
                                                         () -> from(Map.of("fetch-interval", "PT1.5S")));
        assertThat(fraction.getMessage(), containsString("whole seconds"));
        assertThrows(IllegalArgumentException.class, () -> from(Map.of("read-timeout", "PT-1S")));
        assertThrows(IllegalArgumentException.class, () -> from(Map.of("register", "yes")));
    }

    @Test
    void theAnnouncedHostIsGatewayInstanceHostOnly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                  () -> from(Map.of("instance-host", "gw.example")));
        assertThat(e.getMessage(), containsString("replaced by gateway.instance.host"));
    }

    private static EurekaSettings from(Map<String, String> values) {
        return EurekaSettings.from(Config.just(ConfigSources.create(values)));
    }

    @Test
    void rejectsNonPositiveInterval() {
        assertThrows(IllegalArgumentException.class, () -> EurekaSettings.from(Config.just(ConfigSources.create(
                Map.of("fetch-interval", "PT0S")))));
    }
}
