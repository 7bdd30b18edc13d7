package dev.wsgateway.discovery.consul;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.wsgateway.discovery.SelfRegistration;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/**
 * The service definition the gateway registers with the Consul agent ({@code PUT /v1/agent/service/register}): its
 * address and port, its metadata as {@code Meta} (plus {@code secure}), and an HTTP check on its readiness, so Consul
 * shows it critical while it is starting, draining or has no registry view.
 */
final class GatewayRegistration {
    /** The service name the gateway registers under when {@code service-name} is not set. */
    static final String DEFAULT_NAME = "gateway";

    private GatewayRegistration() {
    }

    /**
     * The registration body.
     *
     * @param self     the gateway as it announces itself
     * @param settings settings (service name, host override, check)
     * @return JSON body
     */
    static JsonObject body(SelfRegistration self, ConsulSettings settings) {
        String name = settings.serviceName()
                .orElse(self.appName() == null || self.appName().isBlank() ? DEFAULT_NAME : self.appName())
                .toLowerCase(Locale.ROOT);
        String host = self.host();
        boolean tls = self.securePort() > 0;
        int port = tls ? self.securePort() : self.port();
        String id = self.instanceId() == null || self.instanceId().isBlank()
                ? host + ":" + name + ":" + port
                : self.instanceId();
        Map<String, String> meta = new LinkedHashMap<>(ConsulMapping.toMeta(self.metadata()));
        meta.put(ConsulMapping.SECURE, Boolean.toString(tls));
        JsonObjectBuilder metaJson = Json.createObjectBuilder();
        meta.forEach(metaJson::add);
        JsonObjectBuilder check = Json.createObjectBuilder()
                .add("Name", name + " readiness")
                .add("HTTP", checkUrl(self, settings))
                .add("Interval", goDuration(settings.checkInterval()))
                .add("Timeout", goDuration(settings.checkTimeout()));
        settings.deregisterCriticalAfter().ifPresent(d -> check.add("DeregisterCriticalServiceAfter", goDuration(d)));
        return Json.createObjectBuilder()
                .add("ID", id)
                .add("Name", name)
                .add("Address", host)
                .add("Port", port)
                .add("Meta", metaJson)
                .add("Check", check)
                .build();
    }

    /**
     * The check URL: {@code check.url}, else the readiness endpoint beside the gateway's health URL
     * ({@code .../application/health/ready}).
     */
    static String checkUrl(SelfRegistration self, ConsulSettings settings) {
        return settings.checkUrl().orElseGet(() -> {
            String health = self.healthUrl();
            return health.endsWith("/health") ? health + "/ready" : health;
        });
    }

    /**
     * A duration as Go's {@code time.ParseDuration} (Consul's format) reads it.
     */
    static String goDuration(Duration duration) {
        return duration.toMillis() + "ms";
    }
}
