package dev.wsgateway.gateway.security;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.wsgateway.gateway.config.ZoweTokenSettings;

import io.helidon.http.HeaderNames;
import io.helidon.http.WritableHeaders;

/**
 * Zowe single sign-on tokens on {@code auth: gateway} routes, next to Basic: a handshake carrying
 * {@code Authorization: Bearer <jwt>} or the {@code apimlAuthenticationToken} cookie is admitted when the token
 * verifies ({@link ZoweJwt}) against the keys of {@code jwks-url} ({@link JwksKeys}); its subject is the session's
 * user. A handshake with neither, or with a Basic {@code Authorization} (which wins over the cookie), is left to
 * Basic. The token is never logged; a refusal names the failed check only.
 */
public final class ZoweTokenAuthenticator {
    private static final System.Logger LOGGER = System.getLogger(ZoweTokenAuthenticator.class.getName());
    private static final String BEARER = "bearer ";

    private final ZoweTokenSettings settings;
    private final JwksKeys keys;

    /**
     * The outcome of a token check.
     *
     * @param status 0 when admitted, 401 (token refused) or 403 (no required role: tokens carry none)
     * @param user   the token's user when it verified, else empty
     * @param reason why it was refused, empty when admitted
     */
    public record Outcome(int status, String user, String reason) {
    }

    ZoweTokenAuthenticator(ZoweTokenSettings settings, JwksKeys keys) {
        this.settings = settings;
        this.keys = keys;
    }

    /**
     * Build from settings and start fetching the keys.
     *
     * @param settings settings, empty when tokens are not accepted
     * @return the authenticator, empty when not configured
     */
    public static Optional<ZoweTokenAuthenticator> create(Optional<ZoweTokenSettings> settings) {
        return settings.map(s -> {
            JwksKeys keys = new JwksKeys(s, System::nanoTime);
            keys.prefetch();
            LOGGER.log(System.Logger.Level.INFO, "Zowe JWT accepted on auth: gateway routes: keys from {0}, issuer {1}, "
                    + "cookie {2} or Authorization: Bearer", s.jwksUrl(), s.issuer().orElse("any"), s.cookieName());
            return new ZoweTokenAuthenticator(s, keys);
        });
    }

    /**
     * Check the token of a handshake, if it carries one; without {@code forwardCredentials} the token cookie is
     * removed from the request (the {@code Authorization} header is the caller's to remove).
     *
     * @param headers            request headers
     * @param requiredRoles      roles the route requires (a token has none: non-empty means 403)
     * @param forwardCredentials whether the token may go upstream
     * @return the outcome, empty when the handshake carries no token
     */
    public Optional<Outcome> check(WritableHeaders<?> headers, Set<String> requiredRoles, boolean forwardCredentials) {
        Optional<String> token = bearer(headers);
        if (token.isEmpty() && !headers.contains(HeaderNames.AUTHORIZATION)) {
            // an explicit Authorization (Basic) wins over a cookie the browser sends by itself
            token = cookie(headers);
        }
        if (token.isEmpty()) {
            return Optional.empty();
        }
        if (!forwardCredentials) {
            removeCookie(headers);
        }
        String user;
        try {
            user = ZoweJwt.verify(token.get(), keys, settings.issuer(), settings.clockSkew(), Instant.now());
        } catch (ZoweJwt.Rejected e) {
            return Optional.of(new Outcome(401, "", e.getMessage()));
        }
        if (!requiredRoles.isEmpty()) {
            return Optional.of(new Outcome(403, user, "a token carries no role"));
        }
        return Optional.of(new Outcome(0, user, ""));
    }

    private static Optional<String> bearer(WritableHeaders<?> headers) {
        if (!headers.contains(HeaderNames.AUTHORIZATION)) {
            return Optional.empty();
        }
        for (String value : headers.values(HeaderNames.AUTHORIZATION)) {
            if (value.length() > BEARER.length() && value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                return Optional.of(value.substring(BEARER.length()).trim());
            }
        }
        return Optional.empty();
    }

    private Optional<String> cookie(WritableHeaders<?> headers) {
        if (!headers.contains(HeaderNames.COOKIE)) {
            return Optional.empty();
        }
        for (String header : headers.values(HeaderNames.COOKIE)) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(settings.cookieName())) {
                    String value = pair.substring(eq + 1).trim();
                    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    if (!value.isEmpty()) {
                        return Optional.of(value);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private void removeCookie(WritableHeaders<?> headers) {
        if (!headers.contains(HeaderNames.COOKIE)) {
            return;
        }
        List<String> kept = new ArrayList<>();
        for (String header : headers.values(HeaderNames.COOKIE)) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                String name = eq > 0 ? pair.substring(0, eq).trim() : pair.trim();
                if (!name.isEmpty() && !name.equals(settings.cookieName())) {
                    kept.add(pair.trim());
                }
            }
        }
        headers.remove(HeaderNames.COOKIE);
        if (!kept.isEmpty()) {
            headers.set(HeaderNames.COOKIE, String.join("; ", kept));
        }
    }
}
