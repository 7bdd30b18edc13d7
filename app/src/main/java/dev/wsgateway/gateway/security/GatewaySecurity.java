package dev.wsgateway.gateway.security;

import java.util.List;
import java.util.Map;

import dev.wsgateway.gateway.config.SecuritySettings;
import dev.wsgateway.gateway.http.Refusal;
import dev.wsgateway.gateway.http.RefusalRenderer;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The gateway's security, built from {@code gateway.security}: the Basic authenticator (used by the handshake checks
 * of {@code auth: gateway} routes) and the optional Basic protection of the observe endpoints under
 * {@code /application}.
 */
public final class GatewaySecurity {
    private static final System.Logger LOGGER = System.getLogger(GatewaySecurity.class.getName());

    private final SecuritySettings settings;
    private final BasicAuthenticator authenticator;

    private GatewaySecurity(SecuritySettings settings, BasicAuthenticator authenticator) {
        this.settings = settings;
        this.authenticator = authenticator;
    }

    /**
     * Build from configuration.
     *
     * @param settings the {@code gateway.security} settings
     * @return security
     */
    public static GatewaySecurity create(SecuritySettings settings) {
        BasicAuthenticator authenticator = null;
        if (settings.needsUsers()) {
            if (settings.users().isEmpty()) {
                LOGGER.log(System.Logger.Level.WARNING, "gateway.security: Basic authentication is configured but "
                        + "gateway.security.users is empty: every such request gets 401");
            }
            authenticator = new BasicAuthenticator(settings.realm(), settings.users());
        }
        LOGGER.log(System.Logger.Level.INFO, () -> "security: default auth " + settings.defaultPolicy().auth()
                .name().toLowerCase() + ", " + settings.services().size() + " service policies, "
                + settings.users().size() + " users, observe " + (settings.observeRoles().isEmpty() ? "open"
                : "requires " + settings.observeRoles()) + ", limits: sessions " + settings.maxSessions()
                + ", per client " + settings.maxSessionsPerClient() + ", handshakes/s per client "
                + settings.handshakeRate());
        return new GatewaySecurity(settings, authenticator);
    }

    /**
     * The Basic authenticator of {@code auth: gateway} routes and protected observe endpoints.
     *
     * @return authenticator, {@code null} when no route or endpoint needs one
     */
    public BasicAuthenticator authenticator() {
        return authenticator;
    }

    public SecuritySettings settings() {
        return settings;
    }

    /**
     * Add the observe protection to the gateway's HTTP routing when {@code observe.protect} is on.
     *
     * @param routing routing of the gateway's listeners
     */
    public void protectObserve(HttpRouting.Builder routing) {
        if (!settings.observeRoles().isEmpty()) {
            routing.addFilter(new ObserveFilter());
        }
    }

    private static final String HEALTH = "/application/health";

    /**
     * Basic authentication (a user with one of the observe roles) for everything under {@code /application}, but
     * for the health endpoints unless {@code observe.protect-health} is on.
     */
    private final class ObserveFilter implements Filter {
        @Override
        public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
            String path = req.path().path();
            if (!path.equals("/application") && !path.startsWith("/application/")
                    || !settings.protectHealth() && (path.equals(HEALTH) || path.startsWith(HEALTH + "/"))) {
                chain.proceed();
                return;
            }
            List<String> authorization = req.headers().contains(HeaderNames.AUTHORIZATION)
                    ? req.headers().values(HeaderNames.AUTHORIZATION)
                    : List.of();
            BasicAuthenticator.Result result = authenticator.authenticate(req.prologue().method().text(), path,
                                                                          authorization, settings.observeRoles());
            if (result.ok()) {
                chain.proceed();
                return;
            }
            boolean unauthorized = result.status() == 401;
            RefusalRenderer.send(res, unauthorized
                    ? new Refusal(401, "unauthorized", "Credentials required",
                                  Map.of("WWW-Authenticate", authenticator.challenge()))
                    : new Refusal(403, "forbidden", "Role required"));
        }
    }
}
