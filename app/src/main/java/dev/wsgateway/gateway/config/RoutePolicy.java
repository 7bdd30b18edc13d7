package dev.wsgateway.gateway.config;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.helidon.common.config.Config;

/**
 * What the gateway enforces on the handshakes of one service ({@code gateway.security.services.<serviceId>}, or
 * {@code gateway.security.default} for services without an entry).
 *
 * @param auth               how the client's {@code Authorization} header is treated
 * @param roles              with {@link AuthMode#GATEWAY}: the user needs at least one of these roles (empty: any user)
 * @param forwardCredentials with {@link AuthMode#GATEWAY}: send the checked {@code Authorization} upstream too
 * @param allowedOrigins     browser origins allowed to open sessions; empty: any origin
 * @param allowCrossSite     whether a handshake marked {@code Sec-Fetch-Site: cross-site} is allowed from an
 *                           origin that is not in {@code allowedOrigins}
 */
public record RoutePolicy(AuthMode auth,
                          Set<String> roles,
                          boolean forwardCredentials,
                          Set<String> allowedOrigins,
                          boolean allowCrossSite) {

    /**
     * The built-in default: passthrough, any origin, cross-site allowed (as Zowe).
     */
    public static final RoutePolicy DEFAULT = new RoutePolicy(AuthMode.PASSTHROUGH, Set.of(), false, Set.of(), true);
    /** The keys of one policy. */
    static final String[] KEYS = {"auth", "roles", "forward-credentials", "allowed-origins", "allow-cross-site"};

    /**
     * How a route treats credentials.
     */
    public enum AuthMode {
        /** {@code Authorization} goes upstream untouched; the service decides. */
        PASSTHROUGH,
        /** The gateway checks HTTP Basic credentials against its configured users. */
        GATEWAY,
        /** {@code Authorization} is removed before the upstream handshake. */
        NONE;

        /** A value {@link Values#choice} accepted. */
        static AuthMode parse(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * Read a policy; keys it does not set are taken from {@code parent}.
     *
     * @param config the node
     * @param parent defaults
     * @return policy
     */
    static RoutePolicy create(Config config, RoutePolicy parent) {
        return new RoutePolicy(
                config.get("auth").exists()
                        ? AuthMode.parse(Values.choice(config.get("auth"), "", "passthrough", "gateway", "none"))
                        : parent.auth(),
                config.get("roles").asList(String.class).map(Set::copyOf).orElse(parent.roles()),
                Values.bool(config.get("forward-credentials"), parent.forwardCredentials()),
                config.get("allowed-origins").asList(String.class).map(RoutePolicy::origins)
                        .orElse(parent.allowedOrigins()),
                Values.bool(config.get("allow-cross-site"), parent.allowCrossSite()));
    }

    private static Set<String> origins(List<String> origins) {
        return origins.stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(RoutePolicy::normalizeOrigin)
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Origins compare case-insensitively and without a trailing slash.
     */
    public static String normalizeOrigin(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
