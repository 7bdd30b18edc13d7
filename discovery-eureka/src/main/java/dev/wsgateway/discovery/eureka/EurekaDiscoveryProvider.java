package dev.wsgateway.discovery.eureka;

import java.util.List;
import java.util.Map;

import dev.wsgateway.discovery.DiscoveryProvider;
import dev.wsgateway.discovery.ServiceRegistry;

import io.helidon.common.config.Config;

/**
 * {@code discovery.type: eureka}: services come from a Netflix Eureka registry, and the gateway registers itself.
 */
public class EurekaDiscoveryProvider implements DiscoveryProvider {
    /** The {@code discovery.type} of this provider. */
    public static final String TYPE = "eureka";

    /** Used by {@link java.util.ServiceLoader}. */
    public EurekaDiscoveryProvider() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> keys() {
        return EurekaSettings.KEYS;
    }

    @Override
    public Map<String, String> defaults() {
        return EurekaSettings.DEFAULTS;
    }

    @Override
    public List<String> computedDefaults() {
        return EurekaSettings.COMPUTED;
    }

    @Override
    public List<String> keysWithoutDefault() {
        return EurekaSettings.NO_DEFAULT;
    }

    @Override
    public void validate(Config config) {
        EurekaSettings.from(config);
    }

    @Override
    public ServiceRegistry create(Config config) {
        return EurekaRegistry.start(EurekaSettings.from(config));
    }
}
