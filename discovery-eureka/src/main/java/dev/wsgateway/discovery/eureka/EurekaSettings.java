package dev.wsgateway.discovery.eureka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.wsgateway.discovery.SettingDurations;

import io.helidon.common.config.Config;

/**
 * Settings of the Eureka backend, read from the {@code discovery.eureka} node.
 *
 * Durations are ISO-8601 ({@code PT5S}) like every other duration of the gateway; a plain number (the milliseconds or
 * seconds of earlier versions) stops the start with the new form.
 *
 * @param serviceUrls          Eureka service URLs ({@code service-url}), tried in turn
 * @param fetchIntervalSeconds registry fetch interval ({@code fetch-interval}, whole seconds)
 * @param connectTimeoutMillis connect timeout ({@code connect-timeout}; Eureka's client rounds up to seconds)
 * @param readTimeoutMillis    read timeout ({@code read-timeout}; rounded up to seconds)
 * @param preferIpAddress      connect to instances by IP instead of host name ({@code prefer-ip-address})
 * @param register             register the gateway itself ({@code register})
 * @param appName              app name the gateway registers as ({@code app-name}), empty when not configured
 * @param leaseRenewalSeconds  heartbeat interval ({@code lease-renewal-interval}, whole seconds)
 * @param leaseExpirationSeconds lease duration ({@code lease-expiration}, whole seconds)
 * @param trustStore           trust store for https Eureka URLs ({@code tls.trust-store})
 * @param trustStorePassword   its password ({@code tls.trust-store-password})
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
                             int registryLossGraceSeconds,
                             EurekaClientSecurity security) {
    /** Default service URL. */
    public static final String DEFAULT_SERVICE_URL = "http://localhost:8761/eureka/";
    /** Default app name of the gateway. */
    public static final String DEFAULT_APP_NAME = "GATEWAY";
    private static final Duration FETCH_INTERVAL = Duration.ofSeconds(5);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
    private static final boolean PREFER_IP_ADDRESS = false;
    private static final boolean REGISTER = true;
    private static final Duration LEASE_RENEWAL_INTERVAL = Duration.ofSeconds(10);
    private static final Duration LEASE_EXPIRATION = Duration.ofSeconds(30);
    private static final Duration REGISTRY_LOSS_GRACE = Duration.ofSeconds(90);
    /** Fixed defaults, relative to {@code discovery.eureka}, as written in a file. */
    static final Map<String, String> DEFAULTS = java.util.Map.of(
            "fetch-interval", FETCH_INTERVAL.toString(),
            "connect-timeout", CONNECT_TIMEOUT.toString(),
            "read-timeout", READ_TIMEOUT.toString(),
            "prefer-ip-address", String.valueOf(PREFER_IP_ADDRESS),
            "register", String.valueOf(REGISTER),
            "app-name", DEFAULT_APP_NAME,
            "lease-renewal-interval", LEASE_RENEWAL_INTERVAL.toString(),
            "lease-expiration", LEASE_EXPIRATION.toString(),
            "registry-loss-grace", REGISTRY_LOSS_GRACE.toString(),
            "tls.verify-hostname", String.valueOf(EurekaClientSecurity.VERIFY_HOSTNAME));
    /** Keys whose default is derived at start. */
    static final List<String> COMPUTED = List.of("service-url", "tls.key-alias", "tls.key-password");
    /** Keys without a default. */
    static final List<String> NO_DEFAULT = List.of("tls.trust-store", "tls.trust-store-password", "tls.key-store",
                                                   "tls.key-store-password", "username", "password", "password-env");
    /** The keys read here, relative to {@code discovery.eureka}. */
    public static final List<String> KEYS = List.of("service-url", "service-url.*", "fetch-interval", "connect-timeout",
                                                    "read-timeout", "prefer-ip-address", "register", "app-name",
                                                    "lease-renewal-interval", "lease-expiration", "tls.trust-store",
                                                    "tls.trust-store-password", "registry-loss-grace",
                                                    "tls.key-store", "tls.key-store-password", "tls.key-alias",
                                                    "tls.key-password", "tls.verify-hostname", "username", "password",
                                                    "password-env");

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
        if (config.get("instance-host").exists()) {
            throw new IllegalArgumentException("discovery.eureka.instance-host is replaced by gateway.instance.host "
                                                       + "(one key for the host every backend announces)");
        }
        List<String> serviceUrls = serviceUrls(urls);
        return new EurekaSettings(serviceUrls,
                                  (int) duration(config, "fetch-interval", FETCH_INTERVAL, true).toSeconds(),
                                  (int) duration(config, "connect-timeout", CONNECT_TIMEOUT, false).toMillis(),
                                  (int) duration(config, "read-timeout", READ_TIMEOUT, false).toMillis(),
                                  bool(config, "prefer-ip-address", PREFER_IP_ADDRESS),
                                  bool(config, "register", REGISTER),
                                  nonBlank(config.get("app-name").asString().asOptional()),
                                  (int) duration(config, "lease-renewal-interval", LEASE_RENEWAL_INTERVAL, true)
                                          .toSeconds(),
                                  (int) duration(config, "lease-expiration", LEASE_EXPIRATION, true).toSeconds(),
                                  nonBlank(config.get("tls.trust-store").asString().asOptional()).map(Path::of),
                                  config.get("tls.trust-store-password").asString().asOptional(),
                                  (int) duration(config, "registry-loss-grace", REGISTRY_LOSS_GRACE, true)
                                          .toSeconds(),
                                  EurekaClientSecurity.from(config, serviceUrls, System::getenv));
    }

    private static Duration duration(Config config, String key, Duration defaultValue, boolean wholeSeconds) {
        return SettingDurations.read(config.get(key), "discovery.eureka." + key, defaultValue, wholeSeconds);
    }

    private static boolean bool(Config config, String key, boolean defaultValue) {
        Config node = config.get(key);
        if (!node.exists()) {
            return defaultValue;
        }
        String value = node.asString().orElse("").trim();
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("discovery.eureka." + key + " = '" + value + "': expected true or false");
        }
        return Boolean.parseBoolean(value);
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
