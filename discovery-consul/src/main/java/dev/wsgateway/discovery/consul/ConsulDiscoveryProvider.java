package dev.wsgateway.discovery.consul;

import java.util.List;
import java.util.Map;

import dev.wsgateway.discovery.DiscoveryProvider;
import dev.wsgateway.discovery.ServiceRegistry;

import io.helidon.common.config.Config;

/**
 * {@code discovery.type: consul}: services come from HashiCorp Consul's HTTP API (blocking queries), and the gateway
 * registers itself with the Consul agent.
 */
public class ConsulDiscoveryProvider implements DiscoveryProvider {
    /** The {@code discovery.type} of this provider. */
    public static final String TYPE = "consul";

    /** Used by {@link java.util.ServiceLoader}. */
    public ConsulDiscoveryProvider() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> keys() {
        return ConsulSettings.KEYS;
    }

    @Override
    public Map<String, String> defaults() {
        return ConsulSettings.DEFAULTS;
    }

    @Override
    public List<String> computedDefaults() {
        return ConsulSettings.COMPUTED;
    }

    @Override
    public List<String> keysWithoutDefault() {
        return ConsulSettings.NO_DEFAULT;
    }

    @Override
    public void validate(Config config) {
        ConsulSettings.from(config);
    }

    @Override
    public ServiceRegistry create(Config config) {
        return ConsulRegistry.start(ConsulSettings.from(config));
    }
}
