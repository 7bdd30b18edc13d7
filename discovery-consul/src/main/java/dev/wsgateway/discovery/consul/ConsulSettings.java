package dev.wsgateway.discovery.consul;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.wsgateway.discovery.InstanceStatus;

import io.helidon.common.config.Config;

/**
 * Settings of the Consul backend, read from the {@code discovery.consul} node.
 *
 * @param url                     Consul agent (or server) HTTP API base ({@code url})
 * @param datacenter              datacenter to read services from ({@code datacenter}), empty = the agent's own
 * @param tokenEnv                name of the environment variable holding the ACL token ({@code token-env}); the
 *                                token itself is never part of the settings (nor of any log line)
 * @param waitTime                longest a blocking query waits for a change ({@code wait})
 * @param connectTimeout          connect timeout to Consul ({@code connect-timeout})
 * @param retryInitialDelay       first pause after a failed request ({@code retry.initial-delay}); doubled per failure
 * @param retryMaxDelay           longest pause between retries ({@code retry.max-delay})
 * @param warningStatus           status of an instance whose worst check is {@code warning} ({@code warning-status})
 * @param register                register the gateway with the agent ({@code register})
 * @param serviceName             service name the gateway registers under ({@code service-name}), empty = from the gateway
 * @param checkUrl                URL of the gateway's HTTP check ({@code check.url}), empty = its readiness endpoint
 * @param checkInterval           how often Consul runs the check ({@code check.interval})
 * @param checkTimeout            timeout of one check ({@code check.timeout})
 * @param deregisterCriticalAfter Consul removes the gateway after its check was critical this long
 *                                ({@code check.deregister-critical-after}), empty = never
 * @param trustStore              trust store for an {@code https} URL ({@code tls.trust-store})
 * @param trustStorePassword      its password ({@code tls.trust-store-password})
 * @param trustStoreType          its type ({@code tls.trust-store-type}), empty = PKCS12, or JKS for a {@code .jks} file
 * @param keyStore                key store with the gateway's client certificate, for a Consul that verifies clients
 *                                ({@code tls.key-store}, PKCS12 or JKS, the type detected from the file)
 * @param keyStorePassword        its password, also the key's ({@code tls.key-store-password})
 * @param keyAlias                the key to offer ({@code tls.key-alias}), empty = the store's only key
 */
public record ConsulSettings(URI url,
                             Optional<String> datacenter,
                             String tokenEnv,
                             Duration waitTime,
                             Duration connectTimeout,
                             Duration retryInitialDelay,
                             Duration retryMaxDelay,
                             InstanceStatus warningStatus,
                             boolean register,
                             Optional<String> serviceName,
                             Optional<String> checkUrl,
                             Duration checkInterval,
                             Duration checkTimeout,
                             Optional<Duration> deregisterCriticalAfter,
                             Optional<Path> trustStore,
                             Optional<String> trustStorePassword,
                             Optional<String> trustStoreType,
                             Optional<Path> keyStore,
                             Optional<String> keyStorePassword,
                             Optional<String> keyAlias) {
    /** Consul's own default address. */
    public static final String DEFAULT_URL = "http://127.0.0.1:8500";
    /** The environment variable Consul's CLI reads the token from. */
    public static final String DEFAULT_TOKEN_ENV = "CONSUL_HTTP_TOKEN";
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration RETRY_INITIAL_DELAY = Duration.ofMillis(500);
    private static final Duration RETRY_MAX_DELAY = Duration.ofSeconds(30);
    private static final String WARNING_STATUS = "UP";
    private static final boolean REGISTER = true;
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(10);
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);
    /** Fixed defaults, relative to {@code discovery.consul}, as written in a file. */
    static final Map<String, String> DEFAULTS = java.util.Map.of(
            "token-env", DEFAULT_TOKEN_ENV,
            "wait", WAIT.toString(),
            "connect-timeout", CONNECT_TIMEOUT.toString(),
            "retry.initial-delay", RETRY_INITIAL_DELAY.toString(),
            "retry.max-delay", RETRY_MAX_DELAY.toString(),
            "warning-status", WARNING_STATUS,
            "register", String.valueOf(REGISTER),
            "service-name", GatewayRegistration.DEFAULT_NAME,
            "check.interval", CHECK_INTERVAL.toString(),
            "check.timeout", CHECK_TIMEOUT.toString());
    /** Keys whose default is derived at start. */
    static final java.util.List<String> COMPUTED = java.util.List.of("url", "check.url", "tls.trust-store-type",
                                                                     "tls.key-alias");
    /** Keys without a default. */
    static final java.util.List<String> NO_DEFAULT = java.util.List.of(
            "datacenter", "check.deregister-critical-after", "tls.trust-store", "tls.trust-store-password",
            "tls.key-store", "tls.key-store-password");
    /** The keys read here, relative to {@code discovery.consul}. */
    public static final java.util.List<String> KEYS = java.util.List.of(
            "url", "datacenter", "token-env", "wait", "connect-timeout", "retry.initial-delay", "retry.max-delay",
            "warning-status", "register", "service-name", "check.url", "check.interval", "check.timeout",
            "check.deregister-critical-after", "tls.trust-store", "tls.trust-store-password", "tls.trust-store-type",
            "tls.key-store", "tls.key-store-password", "tls.key-alias");

    public ConsulSettings {
        String scheme = url.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) || url.getHost() == null) {
            throw new IllegalArgumentException("discovery.consul.url must be an http or https URL, was " + url);
        }
        if (tokenEnv.isBlank()) {
            throw new IllegalArgumentException("discovery.consul.token-env must name an environment variable");
        }
        requirePositive("wait", waitTime);
        if (waitTime.compareTo(MAX_WAIT) > 0) {
            throw new IllegalArgumentException("discovery.consul.wait must be at most PT10M (Consul's limit), was " + waitTime);
        }
        requirePositive("connect-timeout", connectTimeout);
        requirePositive("retry.initial-delay", retryInitialDelay);
        requirePositive("retry.max-delay", retryMaxDelay);
        if (retryMaxDelay.compareTo(retryInitialDelay) < 0) {
            throw new IllegalArgumentException("discovery.consul.retry.max-delay must not be below retry.initial-delay");
        }
        if (warningStatus == InstanceStatus.UNKNOWN) {
            throw new IllegalArgumentException("discovery.consul.warning-status must be UP, DOWN or OUT_OF_SERVICE");
        }
        if (keyAlias.isPresent() && keyStore.isEmpty()) {
            throw new IllegalArgumentException("discovery.consul.tls.key-alias needs tls.key-store");
        }
        requirePositive("check.interval", checkInterval);
        requirePositive("check.timeout", checkTimeout);
        deregisterCriticalAfter.ifPresent(d -> requirePositive("check.deregister-critical-after", d));
    }

    /**
     * Read settings from the {@code discovery.consul} node; missing keys take their defaults.
     *
     * @param config configuration node (may be empty)
     * @return settings
     */
    public static ConsulSettings from(Config config) {
        if (config.get("instance-host").exists()) {
            throw new IllegalArgumentException("discovery.consul.instance-host is replaced by gateway.instance.host "
                                                       + "(one key for the host every backend announces)");
        }
        // Consul's CLI variable CONSUL_HTTP_ADDR (Helidon maps it to consul.http.addr) when url is not set
        String url = nonBlank(config.get("url").asString().asOptional())
                .or(() -> nonBlank(config.root().get("consul.http.addr").asString().asOptional()))
                .orElse(DEFAULT_URL);
        return new ConsulSettings(uri(url),
                                  nonBlank(config.get("datacenter").asString().asOptional()),
                                  config.get("token-env").asString().orElse(DEFAULT_TOKEN_ENV).trim(),
                                  duration(config, "wait", WAIT),
                                  duration(config, "connect-timeout", CONNECT_TIMEOUT),
                                  duration(config, "retry.initial-delay", RETRY_INITIAL_DELAY),
                                  duration(config, "retry.max-delay", RETRY_MAX_DELAY),
                                  warningStatus(config.get("warning-status").asString().orElse(WARNING_STATUS)),
                                  config.get("register").asBoolean().orElse(REGISTER),
                                  nonBlank(config.get("service-name").asString().asOptional()),
                                  nonBlank(config.get("check.url").asString().asOptional()),
                                  duration(config, "check.interval", CHECK_INTERVAL),
                                  duration(config, "check.timeout", CHECK_TIMEOUT),
                                  config.get("check.deregister-critical-after").as(Duration.class).asOptional(),
                                  nonBlank(config.get("tls.trust-store").asString().asOptional()).map(Path::of),
                                  config.get("tls.trust-store-password").asString().asOptional(),
                                  nonBlank(config.get("tls.trust-store-type").asString().asOptional()),
                                  nonBlank(config.get("tls.key-store").asString().asOptional()).map(Path::of),
                                  config.get("tls.key-store-password").asString().asOptional(),
                                  nonBlank(config.get("tls.key-alias").asString().asOptional()));
    }

    /**
     * The settings without secrets (the trust store password is masked).
     */
    @Override
    public String toString() {
        return "ConsulSettings[url=" + url + ", datacenter=" + datacenter.orElse("(agent's)") + ", token-env=" + tokenEnv
                + ", wait=" + waitTime + ", register=" + register + ", warning-status=" + warningStatus
                + ", trust-store=" + trustStore.map(Path::toString).orElse("(JVM default)")
                + (trustStorePassword.isPresent() ? ", trust-store-password=****" : "")
                + keyStore.map(k -> ", key-store=" + k + keyAlias.map(a -> " alias " + a).orElse("")).orElse("")
                + (keyStorePassword.isPresent() ? ", key-store-password=****" : "") + "]";
    }

    private static URI uri(String value) {
        String url = value.contains("://") ? value : "http://" + value;
        try {
            URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("discovery.consul.url is not a URL: " + value, e);
        }
    }

    private static InstanceStatus warningStatus(String value) {
        InstanceStatus status = InstanceStatus.parse(value);
        if (status != InstanceStatus.UP && status != InstanceStatus.DOWN && status != InstanceStatus.OUT_OF_SERVICE) {
            throw new IllegalArgumentException("discovery.consul.warning-status must be UP, DOWN or OUT_OF_SERVICE, was "
                                                       + value);
        }
        return status;
    }

    private static Duration duration(Config config, String key, Duration defaultValue) {
        return config.get(key).as(Duration.class).orElse(defaultValue);
    }

    private static Optional<String> nonBlank(Optional<String> value) {
        return value.map(String::trim).filter(s -> !s.isEmpty());
    }

    private static void requirePositive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("discovery.consul." + key + " must be positive, was " + value);
        }
    }
}
