package dev.wsgateway.discovery;

import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

import io.helidon.common.config.Config;

/**
 * Finds the {@link DiscoveryProvider} named by configuration.
 */
public final class Discovery {
    private Discovery() {
    }

    /**
     * Create the registry selected by {@code type}.
     *
     * @param type   provider type, e.g. {@code static}
     * @param config the {@code discovery.<type>} node
     * @return the registry
     * @throws IllegalArgumentException when no provider has that type
     */
    public static ServiceRegistry create(String type, Config config) {
        String wanted = type.trim().toLowerCase(Locale.ROOT);
        List<DiscoveryProvider> providers = ServiceLoader.load(DiscoveryProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
        return providers.stream()
                .filter(p -> p.type().equalsIgnoreCase(wanted))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("discovery.type '" + type + "' has no provider; available: "
                        + providers.stream().map(DiscoveryProvider::type).toList()))
                .create(config);
    }
}
