package dev.wsgateway.discovery.consul;

import java.time.Duration;
import java.util.Map;

import dev.wsgateway.discovery.SelfRegistration;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * The rules of the blocking-query loop (index, rate, backoff) and the gateway's registration body.
 */
class WatchLoopTest {

    @Test
    void indexFollowsConsulsRules() {
        assertThat(ConsulRegistry.nextIndex(0, 57), is(57L));
        assertThat(ConsulRegistry.nextIndex(57, 60), is(60L));
        // went backwards (snapshot restore): start over with an immediate read
        assertThat(ConsulRegistry.nextIndex(60, 12), is(0L));
        // 0 would never block
        assertThat(ConsulRegistry.nextIndex(0, 0), is(1L));
    }

    @Test
    void twoQuickRequestsThenOnePerRefill() {
        WatchPacing pacing = new WatchPacing(Duration.ofMillis(100), Duration.ofSeconds(1));
        assertThat(pacing.beforeRequest(), is(0L));
        assertThat(pacing.beforeRequest(), is(0L));
        long third = pacing.beforeRequest();
        assertThat(third, allOf(greaterThanOrEqualTo(WatchPacing.REFILL.toNanos() / 2),
                                lessThanOrEqualTo(WatchPacing.REFILL.toNanos())));
    }

    @Test
    void backoffDoublesUpToTheMaximumAndResets() {
        WatchPacing pacing = new WatchPacing(Duration.ofMillis(100), Duration.ofMillis(350));
        long[] upper = {100, 200, 350, 350};
        for (long max : upper) {
            long delay = pacing.failed();
            assertThat(delay, allOf(greaterThanOrEqualTo(Duration.ofMillis(max).toNanos() / 2),
                                    lessThanOrEqualTo(Duration.ofMillis(max).toNanos())));
        }
        pacing.succeeded();
        assertThat(pacing.failed(), lessThanOrEqualTo(Duration.ofMillis(100).toNanos()));
    }

    @Test
    void registrationBodyCarriesAReadinessCheckAndValidMeta() {
        ConsulSettings settings = ConsulSettings.from(Config.just(ConfigSources.create(
                Map.of("check.interval", "PT2S", "check.deregister-critical-after", "PT1M"))));
        JsonObject body = GatewayRegistration.body(
                new SelfRegistration("GATEWAY", null, "gw.example", -1, 10443,
                                     "https://gw.example:10443/application/health",
                                     "https://gw.example:10443/application/websockets",
                                     Map.of("apiml.service.title", "WebSocket gateway")),
                settings);
        assertThat(body.getString("ID"), is("gw.example:gateway:10443"));
        assertThat(body.getString("Name"), is("gateway"));
        assertThat(body.getString("Address"), is("gw.example"));
        assertThat(body.getInt("Port"), is(10443));
        assertThat(body.getJsonObject("Meta").getString("apiml_service_title"), is("WebSocket gateway"));
        assertThat(body.getJsonObject("Meta").getString("secure"), is("true"));
        JsonObject check = body.getJsonObject("Check");
        assertThat(check.getString("HTTP"), is("https://gw.example:10443/application/health/ready"));
        assertThat(check.getString("Interval"), is("2000ms"));
        assertThat(check.getString("DeregisterCriticalServiceAfter"), is("60000ms"));
    }
}
