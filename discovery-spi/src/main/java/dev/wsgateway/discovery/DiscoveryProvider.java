package dev.wsgateway.discovery;

import io.helidon.common.config.Config;

/**
 * A discovery backend, found with {@link java.util.ServiceLoader} and chosen by {@code discovery.type}.
 */
public interface DiscoveryProvider {

    /**
     * The value of {@code discovery.type} that selects this provider (e.g. {@code static}, {@code eureka}).
     *
     * @return type name
     */
    String type();

    /**
     * Create the registry.
     *
     * @param config the {@code discovery.<type>} configuration node (may be empty)
     * @return a started registry
     */
    ServiceRegistry create(Config config);
}
