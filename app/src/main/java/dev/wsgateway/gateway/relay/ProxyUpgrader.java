package dev.wsgateway.gateway.relay;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.wsgateway.gateway.Json;
import dev.wsgateway.gateway.routing.GatewayException;
import dev.wsgateway.gateway.routing.GatewayPath;
import dev.wsgateway.gateway.routing.UpstreamTarget;
import dev.wsgateway.gateway.security.HandshakeDecision;
import dev.wsgateway.gateway.security.HandshakeGuard;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.spi.ServerConnection;

/**
 * Takes over an HTTP/1.1 connection that asks for {@code Upgrade: websocket} on a gateway path: resolves the route,
 * opens the upstream WebSocket, answers the client's 101 only after the upstream's (so that upstream failures are
 * still HTTP statuses), then hands both connections to a {@link RelaySession}.
 */
public final class ProxyUpgrader implements Http1Upgrader {
    private static final System.Logger LOGGER = System.getLogger(ProxyUpgrader.class.getName());
    private static final Set<String> NOT_FORWARDED = Set.of(
            "host", "connection", "upgrade", "keep-alive", "proxy-connection", "proxy-authorization",
            "proxy-authenticate", "te", "trailer", "trailers", "transfer-encoding", "content-length",
            "sec-websocket-key", "sec-websocket-version", "sec-websocket-accept", "x-helidon-cn");
    private static final Set<String> NOT_RETURNED = Set.of(
            "connection", "upgrade", "keep-alive", "transfer-encoding", "content-length", "sec-websocket-accept",
            "sec-websocket-protocol", "sec-websocket-extensions");

    private final String protocol;
    private final Relay relay;
    private final Dialer dialer;
    private final SessionRegistry sessions;
    private final HandshakeGuard guard;

    /**
     * @param protocol the {@code Upgrade} value this instance answers (Helidon matches it exactly)
     * @param relay    routing, connecting and session settings
     * @param guard    security checks of the handshake (rate, limits, origin, authentication)
     */
    public ProxyUpgrader(String protocol, Relay relay, HandshakeGuard guard) {
        this.protocol = protocol;
        this.relay = relay;
        this.dialer = relay.dialer();
        this.sessions = relay.sessions();
        this.guard = guard;
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
                    .orElseThrow(() -> new GatewayException(404, "not_found", "No gateway route at " + rawPath));
            if (!prologue.method().text().equals("GET")) {
                throw new GatewayException(400, "bad_handshake", "WebSocket handshake must use GET");
            }
            String key = headers.first(HeaderNames.create("Sec-WebSocket-Key")).orElse(null);
            if (!WsFrames.isValidKey(key)) {
                throw new GatewayException(400, "bad_handshake", "Missing or invalid Sec-WebSocket-Key");
            }
            String version = headers.first(HeaderNames.create("Sec-WebSocket-Version")).orElse("");
            if (!version.trim().equals("13")) {
                throw new GatewayException(426, "unsupported_version", "Only WebSocket version 13 is supported",
                                           Map.of("Sec-WebSocket-Version", "13"));
            }
            if (sessions.draining()) {
                throw new GatewayException(503, "shutting_down", "The gateway is shutting down",
                                           Map.of("Retry-After", "5"));
            }
            HandshakeDecision decision = guard.check(ctx, prologue, headers, path);
            String rawQuery = prologue.query().rawValue();
            List<String> offered = subprotocols(headers);
            Map<String, List<String>> forwarded = forwardedHeaders(ctx, headers);
            Dialer.Request request = new Dialer.Request(path, rawQuery, forwarded, offered);
            Dialer.Dialed dialed = dialer.dial(request, Set.of());
            UpstreamTarget target = dialed.target();
            UpstreamConnector.Link link = dialed.link();

            String gatewayPath = rawPath + (rawQuery.isEmpty() ? "" : "?" + rawQuery);
            SessionInfo info = new SessionInfo(RelaySession.newId(), client, gatewayPath, path.serviceId(),
                                               target.instance().instanceId(), target.uri(), link.subprotocol(), decision.user(),
                                               Instant.now());
            if (!switchProtocols(ctx, key, link)) {
                link.connection().closeResource();
                return Closed.INSTANCE;
            }
            DataReader reader = ctx.dataReader();
            int available = reader.available();
            Leg clientLeg = new Leg("client", ctx.serverSocket(),
                                    available > 0 ? reader.readBytes(available) : new byte[0], false);
            Leg upstreamLeg = new Leg("upstream", link.connection().helidonSocket(), link.leftover(), true);
            String extensions = link.headers().first(HeaderNames.create("Sec-WebSocket-Extensions")).orElse("");
            return new RelaySession(info, relay.settings(), relay.failover(),
                                    relay.failover().enabledFor(target.instance(), target.route()), sessions, dialer,
                                    request, extensions, clientLeg, upstreamLeg);
        } catch (GatewayException e) {
            LOGGER.log(System.Logger.Level.INFO, () -> "handshake rejected: " + e.status() + " " + e.error() + " client "
                    + client + " path " + rawPath + ": " + e.getMessage());
            String serviceId = serviceIdOf(rawPath);
            String reason = e.status() == 401 && !credentials ? "challenge" : e.error();
            sessions.notify(l -> l.handshakeRejected(ctx.remotePeer().host(), serviceId, e.status(), reason));
            reject(ctx, e);
            return Closed.INSTANCE;
        }
    }

    private static String serviceIdOf(String rawPath) {
        try {
            return GatewayPath.parse(rawPath).map(GatewayPath::serviceId).orElse("");
        } catch (GatewayException e) {
            return "";
        }
    }

    private static List<String> subprotocols(WritableHeaders<?> headers) {
        List<String> offered = new ArrayList<>();
        for (String value : headers.values(HeaderNames.create("Sec-WebSocket-Protocol"))) {
            Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(offered::add);
        }
        return offered;
    }

    private static Map<String, List<String>> forwardedHeaders(ConnectionContext ctx, WritableHeaders<?> headers) {
        Set<String> connectionTokens = new HashSet<>();
        for (String value : headers.values(HeaderNames.CONNECTION)) {
            Arrays.stream(value.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).forEach(connectionTokens::add);
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
        forwarded.put("X-Forwarded-Port", List.of(String.valueOf(ctx.localPeer().port())));
        return forwarded;
    }

    private static boolean switchProtocols(ConnectionContext ctx, String key, UpstreamConnector.Link link) {
        StringBuilder response = new StringBuilder(256)
                .append("HTTP/1.1 101 Switching Protocols\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Accept: ").append(WsFrames.acceptKey(key.trim())).append("\r\n");
        if (!link.subprotocol().isEmpty()) {
            response.append("Sec-WebSocket-Protocol: ").append(link.subprotocol()).append("\r\n");
        }
        Headers upstreamHeaders = link.headers();
        upstreamHeaders.first(HeaderNames.create("Sec-WebSocket-Extensions"))
                .ifPresent(ext -> response.append("Sec-WebSocket-Extensions: ").append(ext).append("\r\n"));
        for (Header header : upstreamHeaders) {
            if (!NOT_RETURNED.contains(header.name().toLowerCase(Locale.ROOT))) {
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
     * Write an HTTP error response with a short JSON body and close the connection.
     */
    static void reject(ConnectionContext ctx, GatewayException e) {
        byte[] body = ("{\"status\":" + e.status() + ",\"error\":\"" + Json.escape(e.error()) + "\",\"message\":\""
                + Json.escape(e.getMessage()) + "\"}").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + body.length);
        StringBuilder head = new StringBuilder(128)
                .append("HTTP/1.1 ").append(e.status()).append(' ').append(reasonPhrase(e.status())).append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Connection: close\r\n");
        e.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        try {
            ctx.serverSocket().write(BufferData.create(out.toByteArray()));
        } catch (RuntimeException ignored) {
            // the client is gone; nothing to tell it
        }
    }

    private static String reasonPhrase(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 426 -> "Upgrade Required";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Error";
        };
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
