package dev.wsgateway.gateway.security;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.wsgateway.gateway.relay.SessionRegistry;

import io.helidon.common.config.Config;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The gateway's security, built from {@code gateway.security}: the handshake guard and the optional Basic
 * protection of the observe endpoints under {@code /application}.
 */
public final class GatewaySecurity {
    private static final System.Logger LOGGER = System.getLogger(GatewaySecurity.class.getName());

    private final SecuritySettings settings;
    private final HandshakeGuard guard;
    private final BasicAuthenticator authenticator;

    private GatewaySecurity(SecuritySettings settings, HandshakeGuard guard, BasicAuthenticator authenticator) {
        this.settings = settings;
        this.guard = guard;
        this.authenticator = authenticator;
    }

    /**
     * Build from configuration.
     *
     * @param config   the {@code gateway.security} node (may be missing)
     * @param sessions active sessions
     * @return security
     */
    public static GatewaySecurity create(Config config, SessionRegistry sessions) {
        SecuritySettings settings = SecuritySettings.create(config);
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
        return new GatewaySecurity(settings, new HandshakeGuard(settings, sessions, authenticator), authenticator);
    }

    public HandshakeGuard guard() {
        return guard;
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

    /**
     * Basic authentication (a user with one of the observe roles) for everything under {@code /application}.
     */
    private final class ObserveFilter implements Filter {
        @Override
        public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
            String path = req.path().path();
            if (!path.equals("/application") && !path.startsWith("/application/")) {
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
            int status = result.status();
            if (status == 401) {
                res.header(HeaderNames.WWW_AUTHENTICATE, authenticator.challenge());
            }
            res.status(Status.create(status))
                    .header(HeaderValues.CONTENT_TYPE_JSON)
                    .send(("{\"status\":" + status + ",\"error\":\"" + (status == 401 ? "unauthorized" : "forbidden")
                            + "\",\"message\":\"" + (status == 401 ? "Credentials required" : "Role required")
                            + "\"}").getBytes(StandardCharsets.UTF_8));
        }
    }
}
