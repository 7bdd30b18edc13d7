package dev.wsgateway.discovery.zowestatic;

import java.util.List;
import java.util.Map;

import dev.wsgateway.discovery.DiscoveryProvider;
import dev.wsgateway.discovery.ServiceRegistry;

import io.helidon.common.config.Config;

/**
 * {@code discovery.type: zowe-static}: services from Zowe's static API definition files.
 */
public class ZoweStaticDiscoveryProvider implements DiscoveryProvider {

    @Override
    public String type() {
        return "zowe-static";
    }

    @Override
    public List<String> keys() {
        return ZoweStaticSettings.KEYS;
    }

    @Override
    public Map<String, String> defaults() {
        return ZoweStaticSettings.DEFAULTS;
    }

    @Override
    public List<String> computedDefaults() {
        return ZoweStaticSettings.COMPUTED;
    }

    @Override
    public void validate(Config config) {
        ZoweStaticSettings.from(config);
    }

    @Override
    public ServiceRegistry create(Config config) {
        return ZoweStaticRegistry.start(ZoweStaticSettings.from(config));
    }
}
