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
        return provider(type).create(config);
    }

    /**
     * The provider selected by {@code type}.
     *
     * @param type provider type, e.g. {@code static}
     * @return the provider
     * @throws IllegalArgumentException when no provider has that type
     */
    public static DiscoveryProvider provider(String type) {
        String wanted = type.trim().toLowerCase(Locale.ROOT);
        List<DiscoveryProvider> providers = providers();
        return providers.stream()
                .filter(p -> p.type().equalsIgnoreCase(wanted))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("discovery.type = '" + type + "': expected one of "
                        + providers.stream().map(DiscoveryProvider::type).toList()));
    }

    /**
     * Every provider on the class path.
     *
     * @return providers
     */
    public static List<DiscoveryProvider> providers() {
        return ServiceLoader.load(DiscoveryProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
    }
}
