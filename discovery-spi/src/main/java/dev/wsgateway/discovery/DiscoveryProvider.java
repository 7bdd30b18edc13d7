package dev.wsgateway.discovery;

import java.util.List;
import java.util.Map;

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

    /**
     * The keys this provider reads below {@code discovery.<type>}, as patterns: {@code *} is one segment of any name
     * (a list index), {@code **} anything below. A key in the gateway's configuration files under
     * {@code discovery.<type>} that none of them matches stops the start.
     *
     * @return relative key patterns
     */
    default List<String> keys() {
        return List.of("**");
    }

    /**
     * The fixed defaults of this provider's keys, as they are written in a configuration file ({@code PT5S},
     * {@code true}, {@code GATEWAY}): {@code --check} prints them, and the documentation is checked against them.
     * Each should come from the constant the provider reads with.
     *
     * @return default by relative key
     */
    default Map<String, String> defaults() {
        return Map.of();
    }

    /**
     * The keys whose default is derived at start (from an environment variable, another setting, or the machine).
     *
     * @return relative keys
     */
    default List<String> computedDefaults() {
        return List.of();
    }

    /**
     * The keys without a default: not set, what they configure is off or another way applies.
     *
     * @return relative keys
     */
    default List<String> keysWithoutDefault() {
        return List.of();
    }

    /**
     * Check the settings without starting anything (for {@code --check}, and before the server starts).
     *
     * @param config the {@code discovery.<type>} configuration node (may be empty)
     * @throws IllegalArgumentException naming the key when a setting is wrong
     */
    default void validate(Config config) {
    }
}
