package dev.wsgateway.gateway.ingress;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import dev.wsgateway.gateway.config.AffinitySettings;
import dev.wsgateway.gateway.http.HandshakeKeys;
import dev.wsgateway.gateway.http.Refusal;
import dev.wsgateway.gateway.http.RefusalRenderer;
import dev.wsgateway.gateway.http.WsHeaders;
import dev.wsgateway.gateway.relay.Relay;
import dev.wsgateway.gateway.relay.SessionInfo;
import dev.wsgateway.gateway.relay.SessionRegistry;
import dev.wsgateway.gateway.upstream.Dialer;
import dev.wsgateway.gateway.upstream.UpstreamConnector;
import dev.wsgateway.gateway.upstream.UpstreamException;
import dev.wsgateway.gateway.upstream.UpstreamRequest;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.spi.ServerConnection;

/**
 * Takes over an HTTP/1.1 connection that asks for {@code Upgrade: websocket} on a gateway path: resolves the route,
 * opens the upstream WebSocket, answers the client's 101 only after the upstream's (so that upstream failures are
 * still HTTP statuses), then hands both connections to the {@link Relay}.
 */
final class ProxyUpgrader implements Http1Upgrader {
    private static final System.Logger LOGGER = System.getLogger(ProxyUpgrader.class.getName());
    private static final Set<String> NOT_FORWARDED = Set.of(
            "host", "connection", "upgrade", "keep-alive", "proxy-connection", "proxy-authorization",
            "proxy-authenticate", "te", "trailer", "trailers", "transfer-encoding", "content-length",
            "sec-websocket-key", "sec-websocket-version", "sec-websocket-accept", "x-helidon-cn");
    private static final HeaderName INSTANCE_ID = HeaderNames.create(AffinitySettings.INSTANCE_ID_HEADER);
    private static final Set<String> NOT_RETURNED = Set.of(
            "connection", "upgrade", "keep-alive", "transfer-encoding", "content-length", "sec-websocket-accept",
            "sec-websocket-protocol", "sec-websocket-extensions");

    private final String protocol;
    private final Relay relay;
    private final SessionRegistry sessions;
    private final HandshakeGuard guard;
    private final boolean instanceIdHeader;
    private final BooleanSupplier discoveryReady;
    private final Duration retryAfter;
    private final Map<ListenerContext, String> localPorts = new ConcurrentHashMap<>();

    /**
     * @param protocol         the {@code Upgrade} value this instance answers (Helidon matches it exactly)
     * @param relay            routing, connecting and session settings
     * @param guard            security checks of the handshake (rate, limits, origin, authentication)
     * @param instanceIdHeader whether the 101 names the instance in {@code X-InstanceId}
     * @param discoveryReady   whether discovery has its first view (until then no service is known for sure)
     * @param retryAfter       {@code Retry-After} of the 503s
     */
    ProxyUpgrader(String protocol, Relay relay, HandshakeGuard guard, boolean instanceIdHeader,
                  BooleanSupplier discoveryReady, Duration retryAfter) {
        this.discoveryReady = discoveryReady;
        this.protocol = protocol;
        this.relay = relay;
        this.sessions = relay.sessions();
        this.guard = guard;
        this.instanceIdHeader = instanceIdHeader;
        this.retryAfter = retryAfter;
    }

    @Override
    public String supportedProtocol() {
        return protocol;
    }

    @Override
    public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
        String rawPath = prologue.uriPath().rawPath();
        String client = ctx.remotePeer().host() + ":" + ctx.remotePeer().port();
        // a 401 to a handshake without credentials is a challenge (browsers send them only after one), not a refusal
        boolean credentials = headers.contains(HeaderNames.AUTHORIZATION);
        try {
            GatewayPath path = GatewayPath.parse(rawPath)
                    .orElseThrow(() -> new Refusal(404, "not_found", "No gateway route at " + rawPath));
            if (!prologue.method().text().equals("GET")) {
                throw new Refusal(400, "bad_handshake", "WebSocket handshake must use GET");
            }
            String key = headers.first(WsHeaders.KEY).orElse(null);
            if (!HandshakeKeys.isValid(key)) {
                throw new Refusal(400, "bad_handshake", "Missing or invalid Sec-WebSocket-Key");
            }
            String version = headers.first(WsHeaders.VERSION).orElse("");
            if (!version.trim().equals("13")) {
                throw new Refusal(426, "unsupported_version", "Only WebSocket version 13 is supported",
                                  Map.of("Sec-WebSocket-Version", "13"));
            }
            if (sessions.draining()) {
                throw UpstreamRefusals.later(503, "shutting_down", "The gateway is shutting down", retryAfter);
            }
            if (!discoveryReady.getAsBoolean()) {
                // an unknown service now may be a known one after the first read of discovery: not a 404
                throw UpstreamRefusals.later(503, "discovery_not_ready", "Discovery has not answered yet; try again",
                                             retryAfter);
            }
            HandshakeDecision decision = guard.check(ctx, prologue, headers, path);
            try {
                ServerConnection session = open(ctx, prologue, headers, path, decision, key, rawPath, client);
                if (session == Closed.INSTANCE) {
                    guard.release(ctx);
                }
                return session;
            } catch (RuntimeException e) {
                guard.release(ctx);
                throw e;
            }
        } catch (Refusal e) {
            LOGGER.log(System.Logger.Level.INFO, () -> "handshake rejected: " + e.status() + " " + e.error() + " client "
                    + client + " path " + rawPath + ": " + e.getMessage());
            String reason = e.status() == 401 && !credentials ? "challenge" : e.error();
            sessions.handshakeRejected(ctx.remotePeer().host(), serviceIdOf(rawPath), e.status(), reason);
            reject(ctx, e);
            return Closed.INSTANCE;
        }
    }

    /**
     * Dial the service, answer the client's 101 and start the session; the handshake passed every check.
     */
    private ServerConnection open(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers,
                                  GatewayPath path, HandshakeDecision decision, String key, String rawPath,
                                  String client) {
        String rawQuery = prologue.query().rawValue();
        UpstreamRequest request = new UpstreamRequest(path.serviceId(), path.gatewayUrl(), path.remainder(),
                                                      rawQuery, forwardedHeaders(ctx, headers),
                                                      subprotocols(headers), decision.user(),
                                                      headers.first(INSTANCE_ID).orElse("").trim());
        Dialer.Dialed dialed;
        try {
            dialed = relay.dialer().dial(request, Set.of());
        } catch (UpstreamException e) {
            throw UpstreamRefusals.refusal(e.failure(), retryAfter);
        }
        UpstreamConnector.Link link = dialed.link();
        String gatewayPath = rawPath + (rawQuery.isEmpty() ? "" : "?" + rawQuery);
        SessionInfo info = SessionInfo.create(client, gatewayPath, path.serviceId(),
                                              dialed.target().instance().instanceId(), dialed.target().uri(),
                                              link.subprotocol(), decision.user());
        String instanceId = instanceIdHeader ? dialed.target().instance().instanceId() : null;
        if (!switchProtocols(ctx, key, link, instanceId)) {
            link.close();
            return Closed.INSTANCE;
        }
        DataReader reader = ctx.dataReader();
        int available = reader.available();
        byte[] leftover = available > 0 ? reader.readBytes(available) : new byte[0];
        return relay.start(info, request, ctx.serverSocket(), leftover, dialed);
    }

    private static String serviceIdOf(String rawPath) {
        try {
            return GatewayPath.parse(rawPath).map(GatewayPath::serviceId).orElse("");
        } catch (Refusal e) {
            return "";
        }
    }

    private static List<String> subprotocols(WritableHeaders<?> headers) {
        List<String> offered = new ArrayList<>();
        if (!headers.contains(WsHeaders.PROTOCOL)) {
            return offered;
        }
        for (String value : headers.values(WsHeaders.PROTOCOL)) {
            for (String token : value.split(",")) {
                String trimmed = token.trim();
                if (!trimmed.isEmpty()) {
                    offered.add(trimmed);
                }
            }
        }
        return offered;
    }

    private Map<String, List<String>> forwardedHeaders(ConnectionContext ctx, WritableHeaders<?> headers) {
        Set<String> connectionTokens = new HashSet<>();
        for (String value : headers.values(HeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                connectionTokens.add(token.trim().toLowerCase(Locale.ROOT));
            }
        }
        Map<String, List<String>> forwarded = new LinkedHashMap<>();
        for (Header header : headers) {
            String name = header.name();
            String lower = name.toLowerCase(Locale.ROOT);
            if (NOT_FORWARDED.contains(lower) || connectionTokens.contains(lower) || lower.startsWith("x-forwarded-")) {
                continue;
            }
            forwarded.put(name, header.allValues());
        }
        String peer = ctx.remotePeer().host();
        String priorFor = headers.first(HeaderNames.X_FORWARDED_FOR).orElse("");
        forwarded.put("X-Forwarded-For", List.of(priorFor.isBlank() ? peer : priorFor + ", " + peer));
        forwarded.put("X-Forwarded-Proto", List.of(ctx.isSecure() ? "https" : "http"));
        headers.first(HeaderNames.HOST).ifPresent(host -> forwarded.put("X-Forwarded-Host", List.of(host)));
        forwarded.put("X-Forwarded-Port", List.of(localPort(ctx)));
        return forwarded;
    }

    /**
     * The port the client connected to: one per listener, asked of the first connection's socket (a local address
     * costs two system calls per question).
     */
    private String localPort(ConnectionContext ctx) {
        return localPorts.computeIfAbsent(ctx.listenerContext(), listener -> String.valueOf(ctx.localPeer().port()));
    }

    private static boolean switchProtocols(ConnectionContext ctx, String key, UpstreamConnector.Link link,
                                           String instanceId) {
        StringBuilder response = new StringBuilder(256)
                .append("HTTP/1.1 101 Switching Protocols\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Accept: ").append(HandshakeKeys.accept(key.trim())).append("\r\n");
        if (!link.subprotocol().isEmpty()) {
            response.append("Sec-WebSocket-Protocol: ").append(link.subprotocol()).append("\r\n");
        }
        if (!link.extensions().isEmpty()) {
            response.append("Sec-WebSocket-Extensions: ").append(link.extensions()).append("\r\n");
        }
        if (instanceId != null) {
            response.append(AffinitySettings.INSTANCE_ID_HEADER).append(": ").append(instanceId).append("\r\n");
        }
        Headers upstreamHeaders = link.headers();
        for (Header header : upstreamHeaders) {
            if (!NOT_RETURNED.contains(header.name().toLowerCase(Locale.ROOT))
                    && !(instanceId != null && header.name().equalsIgnoreCase(AffinitySettings.INSTANCE_ID_HEADER))) {
                for (String value : header.allValues()) {
                    response.append(header.name()).append(": ").append(value).append("\r\n");
                }
            }
        }
        response.append("\r\n");
        try {
            ctx.serverSocket().write(BufferData.create(response.toString().getBytes(StandardCharsets.ISO_8859_1)));
            return true;
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.DEBUG, () -> "client left before the 101: " + e.getMessage());
            return false;
        }
    }

    /**
     * Answer a refused handshake and let Helidon close the connection.
     */
    private static void reject(ConnectionContext ctx, Refusal e) {
        try {
            ctx.serverSocket().write(BufferData.create(RefusalRenderer.httpResponse(e)));
        } catch (RuntimeException ignored) {
            // the client is gone; nothing to tell it
        }
    }

    /**
     * The connection after a rejected handshake: nothing left to do, Helidon closes the socket.
     */
    private static final class Closed implements ServerConnection {
        static final Closed INSTANCE = new Closed();

        @Override
        public void handle(Limit limit) {
        }

        @Override
        public Duration idleTime() {
            return Duration.ZERO;
        }

        @Override
        public void close(boolean interrupt) {
        }
    }

}
