package dev.wsgateway.gateway.security;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import dev.wsgateway.gateway.config.SecuritySettings;
import dev.wsgateway.gateway.http.Refusal;
import dev.wsgateway.gateway.http.RefusalRenderer;

import io.helidon.http.HeaderName;
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
    private final Optional<ClusterProof> cluster;
    private final Supplier<Optional<String>> self;

    private GatewaySecurity(SecuritySettings settings, BasicAuthenticator authenticator,
                            Optional<ClusterProof> cluster, Supplier<Optional<String>> self) {
        this.settings = settings;
        this.authenticator = authenticator;
        this.cluster = cluster;
        this.self = self;
    }

    /**
     * Build from configuration.
     *
     * @param settings the {@code gateway.security} settings
     * @param cluster  the proof of the cluster's gateways, when the cluster view is on
     * @param self     this gateway's identity in the cluster ({@link ClusterProof#identity}), once it registered
     * @return security
     */
    public static GatewaySecurity create(SecuritySettings settings, Optional<ClusterProof> cluster,
                                         Supplier<Optional<String>> self) {
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
                + settings.users().size() + " users, observe " + (!settings.observeProtected() ? "open"
                : settings.observeRoles().isEmpty() ? "requires any authenticated user"
                : "requires " + settings.observeRoles()) + ", limits: sessions " + settings.maxSessions()
                + ", per client " + settings.maxSessionsPerClient() + ", handshakes/s per client "
                + settings.handshakeRate() + ", cluster requests " + (cluster.isPresent() ? "signed" : "off"));
        return new GatewaySecurity(settings, authenticator, cluster, self);
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
     * Add the check of requests from other gateways (when the cluster view is on) and the observe protection (when
     * {@code observe.protect} is on) to the gateway's HTTP routing.
     *
     * @param routing routing of the listener that serves the observe endpoints
     */
    public void protectObserve(HttpRouting.Builder routing) {
        if (cluster.isPresent() || settings.observeProtected()) {
            routing.addFilter(new ObserveFilter());
        }
    }

    private static final String HEALTH = "/application/health";
    private static final HeaderName SIGNATURE = HeaderNames.create(ClusterProof.SIGNATURE);

    /**
     * Requests from other gateways of the cluster (they carry a cluster signature): they pass only when the signature
     * is valid, for this gateway, within the replay window and its nonce not seen before, else 401
     * {@code cluster_unauthorized}; the observe endpoints sign their answer to them. Other requests: Basic
     * authentication (a user with one of the observe roles; any authenticated user when the roles are empty) for
     * everything under {@code /application}, but for the health endpoints unless {@code observe.protect-health} is
     * on, when {@code observe.protect} is on.
     */
    private final class ObserveFilter implements Filter {
        @Override
        public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
            if (cluster.isPresent() && req.headers().contains(SIGNATURE)) {
                fromPeer(chain, req, res, cluster.get());
                return;
            }
            String path = req.path().path();
            if (!settings.observeProtected()
                    || !path.equals("/application") && !path.startsWith("/application/")
                    || !settings.protectHealth() && (path.equals(HEALTH) || path.startsWith(HEALTH + "/"))) {
                chain.proceed();
                return;
            }
            List<String> authorization = req.headers().contains(HeaderNames.AUTHORIZATION)
                    ? req.headers().values(HeaderNames.AUTHORIZATION)
                    : List.of();
            if (authorization.size() > 1) {
                RefusalRenderer.send(res, new Refusal(400, "bad_header", "More than one Authorization header"));
                return;
            }
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

        private void fromPeer(FilterChain chain, RoutingRequest req, RoutingResponse res, ClusterProof proof) {
            Map<String, List<String>> query = new HashMap<>();
            req.query().names().forEach(name -> query.put(name, req.query().all(name)));
            ClusterProof.Verdict verdict = proof.verify(req.prologue().method().text(),
                                                        ClusterProof.target(req.path().path(), query),
                                                        name -> req.headers().first(HeaderNames.create(name)),
                                                        self.get());
            if (verdict.call().isPresent()) {
                chain.proceed();
                return;
            }
            String host = req.remotePeer().host();
            LOGGER.log(System.Logger.Level.WARNING, () -> "refused a cluster request from " + host + ": "
                    + verdict.reason());
            RefusalRenderer.send(res, new Refusal(401, "cluster_unauthorized",
                                                  "Not a request of a gateway of this cluster"));
        }
    }
}
