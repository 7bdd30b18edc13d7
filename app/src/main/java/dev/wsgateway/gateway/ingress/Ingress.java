package dev.wsgateway.gateway.ingress;

import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import dev.wsgateway.gateway.config.SecuritySettings;
import dev.wsgateway.gateway.http.Refusal;
import dev.wsgateway.gateway.http.RefusalRenderer;
import dev.wsgateway.gateway.relay.Relay;
import dev.wsgateway.gateway.security.BasicAuthenticator;
import dev.wsgateway.gateway.security.ZoweTokenAuthenticator;

import io.helidon.common.config.Config;
import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.http1.Http1ConnectionSelectorConfig;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * Where clients enter: the HTTP/1.1 connection selector whose upgrader takes over WebSocket handshakes on gateway
 * paths, and the answer to a plain HTTP request on such a path.
 */
public final class Ingress {
    private final ServerConnectionSelector selector;
    private final ServerConnectionSelector management;
    private final TlsAccepts tls;

    private Ingress(ServerConnectionSelector selector, ServerConnectionSelector management, TlsAccepts tls) {
        this.selector = selector;
        this.management = management;
        this.tls = tls;
    }

    /**
     * Build the ingress.
     *
     * @param http1         the {@code server.protocols.http_1_1} node (may be missing)
     * @param security      handshake limits and route policies
     * @param authenticator Basic authenticator for {@code auth: gateway} routes, {@code null} when none needs it
     * @param relay         opens upstreams and runs sessions
     * @return ingress
     */
    public static Ingress create(Config http1, SecuritySettings security, BasicAuthenticator authenticator,
                                 Relay relay) {
        return create(http1, security, authenticator, relay, false, () -> true);
    }

    /**
     * Build the ingress.
     *
     * @param http1            the {@code server.protocols.http_1_1} node (may be missing)
     * @param security         handshake limits and route policies
     * @param authenticator    Basic authenticator for {@code auth: gateway} routes, {@code null} when none needs it
     * @param relay            opens upstreams and runs sessions
     * @param instanceIdHeader whether the 101 names the instance in {@code X-InstanceId}
     * @param discoveryReady   whether discovery has its first view; until then handshakes get 503
     *                         {@code discovery_not_ready}
     * @return ingress
     */
    public static Ingress create(Config http1, SecuritySettings security, BasicAuthenticator authenticator,
                                 Relay relay, boolean instanceIdHeader, BooleanSupplier discoveryReady) {
        return create(http1, security, authenticator, null, relay, instanceIdHeader, discoveryReady);
    }

    /**
     * Build the ingress.
     *
     * @param http1            the {@code server.protocols.http_1_1} node (may be missing)
     * @param security         handshake limits and route policies
     * @param authenticator    Basic authenticator for {@code auth: gateway} routes, {@code null} when none needs it
     * @param tokens           Zowe tokens on {@code auth: gateway} routes, {@code null} when not configured
     * @param relay            opens upstreams and runs sessions
     * @param instanceIdHeader whether the 101 names the instance in {@code X-InstanceId}
     * @param discoveryReady   whether discovery has its first view
     * @return ingress
     */
    public static Ingress create(Config http1, SecuritySettings security, BasicAuthenticator authenticator,
                                 ZoweTokenAuthenticator tokens, Relay relay, boolean instanceIdHeader,
                                 BooleanSupplier discoveryReady) {
        HandshakeGuard guard = new HandshakeGuard(security, relay.sessions(), authenticator, tokens);
        HeadDeadlines deadlines = new HeadDeadlines(security.handshakeTimeout(), relay.sessions());
        Http1Config.Builder config = Http1Config.builder();
        if (http1.exists()) {
            config.config(http1);
        }
        // Helidon's own HTTP/1 logging listener (which logs every header, Authorization included, at DEBUG) is never
        // installed: it is off, and Helidon adds it only to a listener list that is empty
        Http1Config http1Config = config.receiveLog(false).sendLog(false)
                .addReceiveListener(deadlines).addSendListener(deadlines).build();
        Http1ConnectionSelectorConfig.Builder builder = Http1ConnectionSelector.builder().config(http1Config);
        // Helidon looks the Upgrade value up as written; the token is case-insensitive (RFC 9110)
        for (String token : List.of("websocket", "WebSocket", "Websocket", "WEBSOCKET")) {
            builder.addUpgrader(new ProxyUpgrader(token, relay, guard, instanceIdHeader, discoveryReady,
                                                  security.retryAfter()));
        }
        ServerConnectionSelector management = Http1ConnectionSelector.builder().config(http1Config).build();
        return new Ingress(deadlines.wrap(builder.build()), deadlines.wrap(management), deadlines.tls());
    }

    /**
     * The connection selector to add to the gateway's listeners, as their only one (see {@link HeadDeadlines}).
     *
     * @return selector
     */
    public ServerConnectionSelector selector() {
        return selector;
    }

    /**
     * The connection selector of the management listener, as its only one: HTTP/1 with the same head deadline and
     * header logging as the gateway's listeners, but no WebSocket upgrade (the management port relays nothing).
     *
     * @return selector
     */
    public ServerConnectionSelector managementSelector() {
        return management;
    }

    /**
     * Connection options for a TLS listener, to use instead of Helidon's {@code max-tcp-connections} (which loses a
     * permit on every failed TLS handshake): they bound the TLS handshake by the handshake timeout and hold the
     * listener to {@code maxConnections} at once (see {@link TlsAccepts}).
     *
     * @param configured     the listener's configured connection options
     * @param maxConnections connections the listener may hold at once, -1 for no limit
     * @return options to set on the listener, whose own {@code max-tcp-connections} must then be -1
     */
    public SocketOptions tlsConnectionOptions(SocketOptions configured, int maxConnections) {
        return tls.options(configured, maxConnections);
    }

    /**
     * A plain HTTP request (no {@code Upgrade: websocket}): 400 {@code upgrade_required} on a gateway path, the next
     * route otherwise.
     *
     * @param req request
     * @param res response
     */
    public static void upgradeRequired(ServerRequest req, ServerResponse res) {
        Optional<GatewayPath> path;
        try {
            path = GatewayPath.parse(req.prologue().uriPath().rawPath());
        } catch (Refusal e) {
            path = Optional.empty();
        }
        if (path.isEmpty()) {
            res.next();
            return;
        }
        RefusalRenderer.send(res, new Refusal(400, "upgrade_required",
                                              "This is a WebSocket route: send a GET with Upgrade: websocket"));
    }
}
