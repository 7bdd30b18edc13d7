package dev.wsgateway.gateway.ingress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.wsgateway.gateway.config.RoutePolicy;
import dev.wsgateway.gateway.config.SecuritySettings;
import dev.wsgateway.gateway.http.Refusal;
import dev.wsgateway.gateway.http.WsHeaders;
import dev.wsgateway.gateway.relay.SessionRegistry;
import dev.wsgateway.gateway.security.BasicAuthenticator;
import dev.wsgateway.gateway.security.ZoweTokenAuthenticator;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;

/**
 * The security checks of a WebSocket handshake, run inside the gateway's upgrader (Helidon's HTTP security filters
 * never see an upgrade): handshake rate per client IP (429), header sanity (400), session limits (503),
 * origin policy (403), and the route's authentication mode (401/403, credentials stripped where configured).
 * Refusals are {@link Refusal}s, which the upgrader turns into HTTP error responses.
 */
final class HandshakeGuard {
    private final SecuritySettings settings;
    private final ClientSessions clients = new ClientSessions();
    private final HandshakeRateLimiter rateLimiter;
    private final BasicAuthenticator authenticator;
    private final ZoweTokenAuthenticator tokens;

    /**
     * @param settings      security settings
     * @param sessions      active sessions (the guard counts them, reservations included, through its listener)
     * @param authenticator the Basic authenticator, or {@code null} when no route uses {@code auth: gateway}
     * @param tokens        Zowe tokens accepted on {@code auth: gateway} routes, {@code null} when not configured
     */
    HandshakeGuard(SecuritySettings settings, SessionRegistry sessions, BasicAuthenticator authenticator,
                   ZoweTokenAuthenticator tokens) {
        this.settings = settings;
        this.rateLimiter = new HandshakeRateLimiter(settings.handshakeRate(), settings.handshakeBurst());
        this.authenticator = authenticator;
        this.tokens = tokens;
        sessions.addListener(clients);
    }

    /**
     * Check a handshake whose path, key and version are valid, before its route is resolved. May remove
     * request headers (the credentials) so that they do not reach the upstream.
     *
     * @param ctx      connection
     * @param prologue request line
     * @param headers  request headers (modified in place)
     * @param path     the parsed gateway path
     * @return the decision (authenticated user, removed headers)
     * @throws Refusal 429, 400, 503, 403 or 401 refusals
     */
    HandshakeDecision check(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers,
                                   GatewayPath path) {
        String ip = ctx.remotePeer().host();
        long wait = rateLimiter.acquire(ip);
        if (wait > 0) {
            throw new Refusal(429, "rate_limited", "Too many handshakes from this client",
                                       Map.of("Retry-After", String.valueOf(wait)));
        }
        validateHeaders(headers);
        String retryAfter = String.valueOf(Math.max(1, settings.retryAfter().toSeconds()));
        switch (clients.reserve(ip, settings.maxSessions(), settings.maxSessionsPerClient())) {
        case GATEWAY_FULL -> throw new Refusal(503, "too_many_sessions", "The gateway holds its maximum number of "
                + "sessions", Map.of("Retry-After", retryAfter));
        case CLIENT_FULL -> throw new Refusal(503, "too_many_client_sessions", "This client holds its maximum "
                + "number of sessions", Map.of("Retry-After", retryAfter));
        default -> {
        }
        }
        try {
            return authorize(prologue, headers, path);
        } catch (Refusal e) {
            clients.release(ip);
            throw e;
        }
    }

    /**
     * A handshake that passed {@link #check} did not become a session: give back its place.
     *
     * @param ctx the connection
     */
    void release(ConnectionContext ctx) {
        clients.release(ctx.remotePeer().host());
    }

    private HandshakeDecision authorize(HttpPrologue prologue, WritableHeaders<?> headers, GatewayPath path) {
        RoutePolicy policy = settings.policy(path.serviceId());
        checkOrigin(policy, headers);

        List<String> removed = new ArrayList<>(1);
        String user = "";
        switch (policy.auth()) {
        case PASSTHROUGH -> {
        }
        case NONE -> {
            if (headers.contains(HeaderNames.AUTHORIZATION)) {
                headers.remove(HeaderNames.AUTHORIZATION);
                removed.add(HeaderNames.AUTHORIZATION.defaultCase());
            }
        }
        case GATEWAY -> {
            Optional<ZoweTokenAuthenticator.Outcome> token = tokens == null ? Optional.empty()
                    : tokens.check(headers, policy.roles(), policy.forwardCredentials());
            if (token.isPresent()) {
                user = admitted(token.get());
                if (!policy.forwardCredentials() && headers.contains(HeaderNames.AUTHORIZATION)) {
                    headers.remove(HeaderNames.AUTHORIZATION);
                    removed.add(HeaderNames.AUTHORIZATION.defaultCase());
                }
                break;
            }
            List<String> authorization = headers.contains(HeaderNames.AUTHORIZATION)
                    ? headers.values(HeaderNames.AUTHORIZATION)
                    : List.of();
            BasicAuthenticator.Result result = authenticator.authenticate(prologue.method().text(),
                                                                          prologue.uriPath().rawPath(),
                                                                          authorization, policy.roles());
            if (result.status() == 401) {
                throw new Refusal(401, "unauthorized",
                                           authorization.isEmpty() ? "Credentials required" : "Invalid credentials",
                                           Map.of("WWW-Authenticate", authenticator.challenge()));
            }
            if (result.status() == 403) {
                throw new Refusal(403, "forbidden", "User " + result.user() + " may not use this route");
            }
            user = result.user();
            if (!policy.forwardCredentials()) {
                headers.remove(HeaderNames.AUTHORIZATION);
                removed.add(HeaderNames.AUTHORIZATION.defaultCase());
            }
        }
        default -> throw new IllegalStateException("unknown auth mode " + policy.auth());
        }
        return new HandshakeDecision(user, List.copyOf(removed));
    }

    private static String admitted(ZoweTokenAuthenticator.Outcome outcome) {
        return switch (outcome.status()) {
        case 0 -> outcome.user();
        case 403 -> throw new Refusal(403, "forbidden", "User " + outcome.user() + " may not use this route");
        default -> throw new Refusal(401, "unauthorized", "Invalid token: " + outcome.reason(),
                                     Map.of("WWW-Authenticate", "Bearer error=\"invalid_token\""));
        };
    }

    /**
     * CR, LF, NUL and other control characters (except horizontal tab) are refused in header names and values, so
     * that nothing the client sends can split or smuggle headers into the upstream handshake; so is more than one
     * {@code Authorization} header, so that the value checked is the only one forwarded.
     */
    static void validateHeaders(WritableHeaders<?> headers) {
        // RFC 9110 allows one Authorization field: with several, the checked one and the forwarded ones could differ
        if (headers.contains(HeaderNames.AUTHORIZATION) && headers.values(HeaderNames.AUTHORIZATION).size() > 1) {
            throw new Refusal(400, "bad_header", "More than one Authorization header");
        }
        for (Header header : headers) {
            if (!isToken(header.name())) {
                throw new Refusal(400, "bad_header", "Invalid header name");
            }
            for (String value : header.allValues()) {
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF) {
                        throw new Refusal(400, "bad_header",
                                                   "Invalid character in header " + safeName(header.name()));
                    }
                }
            }
        }
    }

    private static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static String safeName(String name) {
        return name.length() > 64 ? name.substring(0, 64) : name;
    }

    static void checkOrigin(RoutePolicy policy, WritableHeaders<?> headers) {
        Optional<String> origin = headers.first(HeaderNames.ORIGIN);
        boolean anyOrigin = policy.allowedOrigins().isEmpty() || policy.allowedOrigins().contains("*");
        boolean listed = !anyOrigin && origin.map(o -> policy.allowedOrigins()
                .contains(RoutePolicy.normalizeOrigin(o))).orElse(false);
        if (!anyOrigin && origin.isPresent() && !listed) {
            throw new Refusal(403, "origin_forbidden", "Origin not allowed for this route");
        }
        if (!policy.allowCrossSite() && !listed) {
            String site = headers.first(WsHeaders.SEC_FETCH_SITE).orElse("").trim().toLowerCase(Locale.ROOT);
            if (site.equals("cross-site")) {
                throw new Refusal(403, "cross_site_forbidden", "Cross-site handshakes are not allowed for "
                        + "this route");
            }
        }
    }
}
