package dev.wsgateway.gateway.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.helidon.common.config.Config;

/**
 * Zowe single sign-on tokens on {@code auth: gateway} routes ({@code gateway.security.zowe-jwt}): a client holding a
 * Zowe JWT (the cookie, or {@code Authorization: Bearer}) is admitted when the token verifies against the keys the
 * Zowe gateway publishes. Off unless {@code jwks-url} is set.
 *
 * @param jwksUrl            where the keys are (Zowe: {@code https://HOST:PORT/gateway/api/v1/auth/keys/public/all})
 * @param issuer             the {@code iss} a token must carry, empty for any (Zowe's tokens say {@code APIML})
 * @param cookieName         the cookie holding the token ({@code apimlAuthenticationToken})
 * @param clockSkew          how far {@code exp} and {@code nbf} may be off
 * @param refreshMinInterval shortest time between two fetches of the keys for an unknown key id
 * @param maxAge             the keys are fetched again after this long even when every key id is known
 * @param fetchTimeout       connect and read timeout of a fetch
 * @param trustStore         trust store for an https {@code jwks-url} (else the JDK's CAs)
 * @param trustStorePassword its password
 */
public record ZoweTokenSettings(URI jwksUrl,
                                Optional<String> issuer,
                                String cookieName,
                                Duration clockSkew,
                                Duration refreshMinInterval,
                                Duration maxAge,
                                Duration fetchTimeout,
                                Optional<Path> trustStore,
                                Optional<String> trustStorePassword) {
    private static final String PREFIX = "gateway.security.zowe-jwt.";
    private static final String COOKIE_NAME = "apimlAuthenticationToken";
    private static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    private static final Duration REFRESH_MIN_INTERVAL = Duration.ofSeconds(30);
    private static final Duration MAX_AGE = Duration.ofHours(1);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
    /** The keys read here, with their defaults. */
    public static final ConfigKeys KEYS = ConfigKeys.of("gateway.security.zowe-jwt", "jwks-url", "issuer",
                                                        "cookie-name", "clock-skew", "refresh-min-interval",
                                                        "max-age", "fetch-timeout", "trust-store",
                                                        "trust-store-password")
            .withNoDefault(PREFIX + "jwks-url", PREFIX + "issuer", PREFIX + "trust-store",
                           PREFIX + "trust-store-password")
            .withDefault(PREFIX + "cookie-name", COOKIE_NAME)
            .withDefault(PREFIX + "clock-skew", CLOCK_SKEW)
            .withDefault(PREFIX + "refresh-min-interval", REFRESH_MIN_INTERVAL)
            .withDefault(PREFIX + "max-age", MAX_AGE)
            .withDefault(PREFIX + "fetch-timeout", FETCH_TIMEOUT);

    public ZoweTokenSettings {
        String scheme = jwksUrl.getScheme();
        if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme) || jwksUrl.getHost() == null) {
            throw new IllegalArgumentException(PREFIX + "jwks-url must be an http(s) URL with a host, was " + jwksUrl);
        }
        if (cookieName.isBlank()) {
            throw new IllegalArgumentException(PREFIX + "cookie-name must not be blank");
        }
        requireNotNegative("clock-skew", clockSkew);
        requireNotNegative("refresh-min-interval", refreshMinInterval);
        if (maxAge.isNegative() || maxAge.isZero() || fetchTimeout.isNegative() || fetchTimeout.isZero()) {
            throw new IllegalArgumentException(PREFIX + "max-age and fetch-timeout must be positive");
        }
        trustStore.ifPresent(path -> {
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException(PREFIX + "trust-store " + path + " is not a file");
            }
        });
    }

    /**
     * Read {@code gateway.security.zowe-jwt}.
     *
     * @param config the node
     * @return settings, empty when {@code jwks-url} is not set (tokens are not accepted)
     */
    public static Optional<ZoweTokenSettings> create(Config config) {
        Optional<String> url = nonBlank(config.get("jwks-url").asString().asOptional());
        if (url.isEmpty()) {
            if (config.exists()) {
                // settings without the one that switches it on: say so rather than silently accept no token
                throw new IllegalArgumentException(PREFIX + "jwks-url is required when other zowe-jwt keys are set");
            }
            return Optional.empty();
        }
        URI uri;
        try {
            uri = URI.create(url.get());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PREFIX + "jwks-url is not a URL: " + url.get());
        }
        return Optional.of(new ZoweTokenSettings(
                uri,
                nonBlank(config.get("issuer").asString().asOptional()),
                config.get("cookie-name").asString().orElse(COOKIE_NAME).trim(),
                Values.duration(config.get("clock-skew"), CLOCK_SKEW, true),
                Values.duration(config.get("refresh-min-interval"), REFRESH_MIN_INTERVAL, true),
                Values.duration(config.get("max-age"), MAX_AGE, false),
                Values.duration(config.get("fetch-timeout"), FETCH_TIMEOUT, false),
                nonBlank(config.get("trust-store").asString().asOptional()).map(Path::of),
                config.get("trust-store-password").asString().asOptional()));
    }

    private static Optional<String> nonBlank(Optional<String> value) {
        return value.map(String::trim).filter(s -> !s.isEmpty());
    }

    private static void requireNotNegative(String key, Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException(PREFIX + key + " must not be negative, was " + value);
        }
    }

    @Override
    public String toString() {
        return "ZoweTokenSettings[jwksUrl=" + jwksUrl + ", issuer=" + issuer + ", cookieName=" + cookieName + "]";
    }
}
