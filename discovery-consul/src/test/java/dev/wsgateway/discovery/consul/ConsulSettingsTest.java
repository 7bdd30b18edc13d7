package dev.wsgateway.discovery.consul;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.wsgateway.discovery.InstanceStatus;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConsulSettingsTest {

    @Test
    void defaults() {
        ConsulSettings s = ConsulSettings.from(Config.empty());
        assertThat(s.url(), is(URI.create("http://127.0.0.1:8500")));
        assertThat(s.datacenter(), is(Optional.empty()));
        assertThat(s.tokenEnv(), is("CONSUL_HTTP_TOKEN"));
        assertThat(s.waitTime(), is(Duration.ofSeconds(30)));
        assertThat(s.warningStatus(), is(InstanceStatus.UP));
        assertThat(s.register(), is(true));
        assertThat(s.checkInterval(), is(Duration.ofSeconds(10)));
        assertThat(s.deregisterCriticalAfter(), is(Optional.empty()));
        assertThat(s.trustStore(), is(Optional.empty()));
    }

    @Test
    void keysAreRead() {
        ConsulSettings s = settings(Map.of("url", "https://consul.example:8501/",
                                           "datacenter", "eu-west",
                                           "token-env", "MY_TOKEN",
                                           "wait", "PT5S",
                                           "warning-status", "down",
                                           "check.deregister-critical-after", "PT2M",
                                           "tls.trust-store", "/etc/consul/trust.p12",
                                           "tls.trust-store-password", "s3cret"));
        assertThat(s.url(), is(URI.create("https://consul.example:8501")));
        assertThat(s.datacenter(), is(Optional.of("eu-west")));
        assertThat(s.tokenEnv(), is("MY_TOKEN"));
        assertThat(s.waitTime(), is(Duration.ofSeconds(5)));
        assertThat(s.warningStatus(), is(InstanceStatus.DOWN));
        assertThat(s.deregisterCriticalAfter(), is(Optional.of(Duration.ofMinutes(2))));
        assertThat(s.trustStore(), is(Optional.of(Path.of("/etc/consul/trust.p12"))));
        assertThat(s.toString(), not(containsString("s3cret")));
    }

    @Test
    void consulHttpAddrIsTheFallbackAddress() {
        // CONSUL_HTTP_ADDR=consul.service:8500 as Consul's CLI takes it (Helidon maps it to consul.http.addr)
        Config root = Config.just(ConfigSources.create(Map.of("consul.http.addr", "consul.service:8500")));
        assertThat(ConsulSettings.from(root.get("discovery.consul")).url(), is(URI.create("http://consul.service:8500")));
    }

    @Test
    void badValuesAreRefusedWithTheKey() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> settings(Map.of("url", "ftp://x:1")))
                           .getMessage(), containsString("discovery.consul.url"));
        assertThat(assertThrows(IllegalArgumentException.class, () -> settings(Map.of("wait", "PT11M")))
                           .getMessage(), containsString("discovery.consul.wait"));
        assertThat(assertThrows(IllegalArgumentException.class, () -> settings(Map.of("warning-status", "maybe")))
                           .getMessage(), containsString("warning-status"));
        assertThat(assertThrows(IllegalArgumentException.class, () -> settings(Map.of("retry.initial-delay", "PT0S")))
                           .getMessage(), containsString("retry.initial-delay"));
    }

    private static ConsulSettings settings(Map<String, String> values) {
        return ConsulSettings.from(Config.just(ConfigSources.create(values)));
    }
}
