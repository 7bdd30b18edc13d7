package dev.wsgateway.discovery.eureka;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.helidon.common.config.Config;

/**
 * Settings of the Eureka backend, read from the {@code discovery.eureka} node.
 *
 * @param serviceUrls          Eureka service URLs ({@code service-url}), tried in turn
 * @param fetchIntervalSeconds registry fetch interval ({@code fetch-interval}, seconds)
 * @param connectTimeoutMillis connect timeout ({@code connect-timeout}, ms; Eureka's client rounds up to seconds)
 * @param readTimeoutMillis    read timeout ({@code read-timeout}, ms; rounded up to seconds)
 * @param preferIpAddress      connect to instances by IP instead of host name ({@code prefer-ip-address})
 * @param register             register the gateway itself ({@code register})
 * @param appName              app name the gateway registers as ({@code app-name}), empty when not configured
 * @param leaseRenewalSeconds  heartbeat interval ({@code lease-renewal-interval}, seconds)
 * @param leaseExpirationSeconds lease duration ({@code lease-expiration}, seconds)
 * @param trustStore           trust store for https Eureka URLs ({@code tls.trust-store})
 * @param trustStorePassword   its password ({@code tls.trust-store-password})
 * @param instanceHost         host the gateway registers, overriding the one it is given ({@code instance-host})
 * @param registryLossGraceSeconds how long instances stay in the view after a fetch lost more than half of them
 *                             at once, waiting for them to register again ({@code registry-loss-grace}, seconds;
 *                             0 = never kept), see {@link RegistryLossGuard}
 * @param security             client certificate, Basic credentials and host name verification
 *                             ({@link EurekaClientSecurity})
 */
public record EurekaSettings(List<String> serviceUrls,
                             int fetchIntervalSeconds,
                             int connectTimeoutMillis,
                             int readTimeoutMillis,
                             boolean preferIpAddress,
                             boolean register,
                             Optional<String> appName,
                             int leaseRenewalSeconds,
                             int leaseExpirationSeconds,
                             Optional<Path> trustStore,
                             Optional<String> trustStorePassword,
                             Optional<String> instanceHost,
                             int registryLossGraceSeconds,
                             EurekaClientSecurity security) {
    /** Default service URL. */
    public static final String DEFAULT_SERVICE_URL = "http://localhost:8761/eureka/";
    /** Default app name of the gateway. */
    public static final String DEFAULT_APP_NAME = "GATEWAY";

    public EurekaSettings {
        if (serviceUrls.isEmpty()) {
            throw new IllegalArgumentException("discovery.eureka.service-url must name at least one URL");
        }
        serviceUrls = EurekaClientSecurity.withoutCredentials(serviceUrls).stream()
                .map(EurekaSettings::withTrailingSlash).toList();
        security = security == null ? EurekaClientSecurity.NONE : security;
        requirePositive("fetch-interval", fetchIntervalSeconds);
        requirePositive("connect-timeout", connectTimeoutMillis);
        requirePositive("read-timeout", readTimeoutMillis);
        requirePositive("lease-renewal-interval", leaseRenewalSeconds);
        requirePositive("lease-expiration", leaseExpirationSeconds);
        if (registryLossGraceSeconds < 0) {
            throw new IllegalArgumentException("discovery.eureka.registry-loss-grace must not be negative, was "
                                                       + registryLossGraceSeconds);
        }
    }

    /**
     * Read settings from the {@code discovery.eureka} node; missing keys take their defaults.
     *
     * @param config configuration node (may be empty)
     * @return settings
     */
    public static EurekaSettings from(Config config) {
        Config urls = config.get("service-url");
        if (!urls.exists()) {
            // environment variable EUREKA_SERVICE_URL (Helidon maps it to eureka.service.url)
            urls = config.root().get("eureka.service.url");
        }
        List<String> serviceUrls = serviceUrls(urls);
        return new EurekaSettings(serviceUrls,
                                  config.get("fetch-interval").asInt().orElse(5),
                                  config.get("connect-timeout").asInt().orElse(2000),
                                  config.get("read-timeout").asInt().orElse(5000),
                                  config.get("prefer-ip-address").asBoolean().orElse(false),
                                  config.get("register").asBoolean().orElse(true),
                                  nonBlank(config.get("app-name").asString().asOptional()),
                                  config.get("lease-renewal-interval").asInt().orElse(10),
                                  config.get("lease-expiration").asInt().orElse(30),
                                  nonBlank(config.get("tls.trust-store").asString().asOptional()).map(Path::of),
                                  config.get("tls.trust-store-password").asString().asOptional(),
                                  nonBlank(config.get("instance-host").asString().asOptional()),
                                  config.get("registry-loss-grace").asInt().orElse(90),
                                  EurekaClientSecurity.from(config, serviceUrls, System::getenv));
    }

    private static List<String> serviceUrls(Config node) {
        List<String> urls = new ArrayList<>();
        if (node.isLeaf()) {
            node.asString().asOptional().ifPresent(v -> split(v, urls));
        } else if (node.exists()) {
            // a YAML list, or an object with index keys (service-url.0, service-url.1) from flat sources
            List<? extends Config> children = new ArrayList<>(node.asNodeList().orElse(List.of()));
            if (!node.isList()) {
                children.sort(java.util.Comparator.comparing(EurekaSettings::indexOf));
            }
            children.forEach(child -> child.asString().asOptional().ifPresent(v -> split(v, urls)));
        }
        if (urls.isEmpty()) {
            urls.add(DEFAULT_SERVICE_URL);
        }
        return urls;
    }

    private static long indexOf(Config child) {
        try {
            return Long.parseLong(child.name());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static void split(String value, List<String> into) {
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                into.add(part.trim());
            }
        }
    }

    private static Optional<String> nonBlank(Optional<String> value) {
        return value.map(String::trim).filter(s -> !s.isEmpty());
    }

    private static String withTrailingSlash(String url) {
        return url.endsWith("/") ? url : url + "/";
    }

    private static void requirePositive(String key, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("discovery.eureka." + key + " must be positive, was " + value);
        }
    }
}
