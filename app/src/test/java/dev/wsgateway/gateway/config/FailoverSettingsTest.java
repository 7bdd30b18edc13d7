package dev.wsgateway.gateway.config;

import java.util.Map;

import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRoute;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * How a route acknowledges reading for replay ({@code replay-acknowledge}): the configured default, and a route's
 * own from its instance metadata (a value the gateway does not know there leaves the default).
 */
class FailoverSettingsTest {
    private static final ServiceRoute ROUTE = new ServiceRoute("ws_v1", "ws/v1", "/stream");

    @Test
    void answersByDefaultReadWhereConfiguredOrAnnouncedByTheRoute() {
        FailoverSettings defaults = settings("{}");
        assertThat(defaults.acknowledgeFor(instance(Map.of()), ROUTE), is(FailoverSettings.Acknowledge.ANSWER));
        ServiceInstance streaming = instance(Map.of("apiml.routes.ws_v1.replay-acknowledge", "Read"));
        assertThat(defaults.acknowledgeFor(streaming, ROUTE), is(FailoverSettings.Acknowledge.READ));

        FailoverSettings read = settings("replay-acknowledge: read");
        assertThat(read.acknowledgeFor(instance(Map.of()), ROUTE), is(FailoverSettings.Acknowledge.READ));
        ServiceInstance answering = instance(Map.of("apiml.routes.ws_v1.replay-acknowledge", "answer"));
        assertThat(read.acknowledgeFor(answering, ROUTE), is(FailoverSettings.Acknowledge.ANSWER));
    }

    @Test
    void anUnknownValueIsRefusedInConfigurationAndIgnoredInMetadata() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                  () -> settings("replay-acknowledge: pong"));
        assertThat(e.getMessage(), containsString("one of answer, read"));
        ServiceInstance odd = instance(Map.of("apiml.routes.ws_v1.replay-acknowledge", "pong"));
        assertThat(settings("replay-acknowledge: read").acknowledgeFor(odd, ROUTE),
                   is(FailoverSettings.Acknowledge.READ));
    }

    private static FailoverSettings settings(String yaml) {
        return FailoverSettings.create(Config.just(ConfigSources.create(yaml, MediaTypes.APPLICATION_X_YAML)));
    }

    private static ServiceInstance instance(Map<String, String> metadata) {
        return new ServiceInstance("stream", "i0", "127.0.0.1", 8080, false, InstanceStatus.UP, metadata);
    }
}
