package dev.wsgateway.discovery.zowestatic;

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
    public ServiceRegistry create(Config config) {
        return ZoweStaticRegistry.start(ZoweStaticSettings.from(config));
    }
}
