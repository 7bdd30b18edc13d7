package dev.wsgateway.discovery.eureka;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import io.helidon.common.config.Config;

/**
 * How the gateway proves who it is to Eureka: a client certificate (mutual TLS, Zowe's Discovery Service in its default
 * HTTPS mode) and/or Basic credentials (Zowe's HTTP mode), plus host name verification of the server.
 * <p>
 * Read from {@code discovery.eureka}: {@code tls.key-store} (PKCS12 or JKS, the type is detected from the file),
 * {@code tls.key-store-password}, {@code tls.key-alias} (the only key offered; default: the store's only key),
 * {@code tls.key-password} (default: the store password), {@code tls.verify-hostname} (default {@code true}),
 * {@code username}, {@code password} or {@code password-env} (the name of an environment variable holding it).
 * Credentials in a service URL ({@code https://user:pass@host/eureka/}) are taken out of the URL, so that the URL can
 * be logged. Passwords never appear in {@link #toString()}.
 *
 * @param keyStore         key store with the client certificate and its key
 * @param keyStorePassword its password
 * @param keyAlias         alias of the key to offer
 * @param keyPassword      password of the key
 * @param verifyHostname   whether the server's certificate must name the host of the URL
 * @param username         Basic user name
 * @param password         Basic password
 */
public record EurekaClientSecurity(Optional<Path> keyStore,
                                   Optional<String> keyStorePassword,
                                   Optional<String> keyAlias,
                                   Optional<String> keyPassword,
                                   boolean verifyHostname,
                                   Optional<String> username,
                                   Optional<String> password) {
    private static final String PREFIX = "discovery.eureka.";
    /** {@code tls.verify-hostname} when not set. */
    static final boolean VERIFY_HOSTNAME = true;

    /** No client certificate, no credentials, host names verified. */
    public static final EurekaClientSecurity NONE = new EurekaClientSecurity(Optional.empty(), Optional.empty(),
                                                                             Optional.empty(), Optional.empty(), true,
                                                                             Optional.empty(), Optional.empty());

    public EurekaClientSecurity {
        if (username.isPresent() != password.isPresent()) {
            throw new IllegalArgumentException(PREFIX + (username.isPresent()
                    ? "username is set but no password (set password or password-env)"
                    : "password is set but no username"));
        }
        if (keyStore.isEmpty() && (keyAlias.isPresent() || keyPassword.isPresent())) {
            throw new IllegalArgumentException(PREFIX + "tls.key-alias and tls.key-password need tls.key-store");
        }
    }

    /**
     * Read the settings; credentials found in {@code serviceUrls} are used when the settings name no user.
     *
     * @param config      the {@code discovery.eureka} node
     * @param serviceUrls service URLs as configured (may carry {@code user:password@})
     * @param env         environment lookup (for {@code password-env})
     * @return settings
     */
    static EurekaClientSecurity from(Config config, List<String> serviceUrls, UnaryOperator<String> env) {
        Optional<String> username = nonBlank(config.get("username").asString().asOptional());
        Optional<String> password = config.get("password").asString().asOptional().filter(s -> !s.isEmpty());
        Optional<String> passwordEnv = nonBlank(config.get("password-env").asString().asOptional());
        if (passwordEnv.isPresent()) {
            if (password.isPresent()) {
                throw new IllegalArgumentException(PREFIX + "password and password-env are both set: keep one");
            }
            String value = env.apply(passwordEnv.get());
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException(PREFIX + "password-env names " + passwordEnv.get()
                                                           + ", which is not set or empty");
            }
            password = Optional.of(value);
        }
        if (username.isEmpty()) {
            String[] fromUrl = userInfo(serviceUrls);
            if (fromUrl != null) {
                username = Optional.of(fromUrl[0]);
                password = Optional.of(fromUrl[1]);
            }
        }
        return new EurekaClientSecurity(nonBlank(config.get("tls.key-store").asString().asOptional()).map(Path::of),
                                        config.get("tls.key-store-password").asString().asOptional(),
                                        nonBlank(config.get("tls.key-alias").asString().asOptional()),
                                        config.get("tls.key-password").asString().asOptional(),
                                        config.get("tls.verify-hostname").asBoolean().orElse(VERIFY_HOSTNAME),
                                        username,
                                        password);
    }

    /**
     * The service URLs without their {@code user:password@} part.
     *
     * @param serviceUrls URLs as configured
     * @return URLs safe to log
     */
    static List<String> withoutCredentials(List<String> serviceUrls) {
        List<String> clean = new ArrayList<>();
        for (String url : serviceUrls) {
            int scheme = url.indexOf("://");
            int at = url.indexOf('@', scheme + 3);
            int slash = url.indexOf('/', scheme + 3);
            if (scheme > 0 && at > 0 && (slash < 0 || at < slash)) {
                clean.add(url.substring(0, scheme + 3) + url.substring(at + 1));
            } else {
                clean.add(url);
            }
        }
        return clean;
    }

    private static String[] userInfo(List<String> serviceUrls) {
        String[] found = null;
        for (String url : serviceUrls) {
            String info;
            try {
                info = URI.create(url.trim()).getRawUserInfo();
            } catch (IllegalArgumentException e) {
                // the URL itself is reported by the Eureka client; never echo a value that may hold a password
                throw new IllegalArgumentException(PREFIX + "service-url is not a valid URL");
            }
            if (info == null) {
                continue;
            }
            int colon = info.indexOf(':');
            if (colon <= 0 || colon == info.length() - 1) {
                throw new IllegalArgumentException(PREFIX + "service-url carries a user without a password");
            }
            String[] pair = {decode(info.substring(0, colon)), decode(info.substring(colon + 1))};
            if (found != null && !(found[0].equals(pair[0]) && found[1].equals(pair[1]))) {
                throw new IllegalArgumentException(PREFIX + "service-url: all URLs must carry the same credentials");
            }
            found = pair;
        }
        return found;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Optional<String> nonBlank(Optional<String> value) {
        return value.map(String::trim).filter(s -> !s.isEmpty());
    }

    /**
     * Whether a TLS context of our own is needed (a client certificate).
     *
     * @return {@code true} when a key store is set
     */
    boolean clientCertificate() {
        return keyStore.isPresent();
    }

    @Override
    public String toString() {
        return "EurekaClientSecurity[keyStore=" + keyStore + ", keyAlias=" + keyAlias + ", verifyHostname="
                + verifyHostname + ", username=" + username + ", password=" + (password.isPresent() ? "***" : "none")
                + "]";
    }
}
