package dev.wsgateway.discovery.eureka;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
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
        assertThat(s.instanceHost(), is(Optional.empty()));
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
                       "tls.trust-store", "/etc/trust.p12", "app-name", "gw", "instance-host", "gw.example"))));
        assertThat(s.serviceUrls(), is(List.of("http://a:8761/eureka/", "http://b:8761/eureka/")));
        assertThat(s.trustStore().orElseThrow().toString(), is("/etc/trust.p12"));
        assertThat(s.appName(), is(Optional.of("gw")));
        assertThat(s.instanceHost(), is(Optional.of("gw.example")));
    }

    @Test
    void rejectsNonPositiveInterval() {
        assertThrows(IllegalArgumentException.class, () -> EurekaSettings.from(Config.just(ConfigSources.create(
                Map.of("fetch-interval", "0")))));
    }
}
