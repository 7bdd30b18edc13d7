package dev.wsgateway.gateway;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntUnaryOperator;

import dev.wsgateway.gateway.http.Refusal;
import dev.wsgateway.gateway.http.RefusalRenderer;
import dev.wsgateway.gateway.ingress.Ingress;

import io.helidon.common.socket.SocketOptions;
import io.helidon.common.tls.Tls;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.ErrorHandling;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * Server-side settings applied to every listener of the gateway's {@link WebServer} (the default socket, the named
 * {@code server.sockets} and the management socket): the gateway's HTTP/1 selector as the only connection selector
 * (its head deadline, no header logging; the WebSocket upgrader but on the management socket), TLS 1.2+ only, 431 for
 * oversized request headers (Helidon answers those with a plain 400), and the connections a socket accepts at once
 * (on a TLS socket counted by the gateway, which also bounds the TLS handshake: see {@code ingress.TlsAccepts}).
 */
final class ServerHardening {
    private static final System.Logger LOGGER = System.getLogger(ServerHardening.class.getName());
    private static final Set<String> ALLOWED_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
    private static final String[] DEFAULT_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private ServerHardening() {
    }

    /**
     * Apply to a server builder that already read {@code server} from config.
     *
     * @param server      the builder
     * @param ingress     the gateway's ingress: its HTTP/1.1 connection selector (with its upgrader) is made the
     *                    sockets' only one (Helidon then creates a connection at the accept, and the selector's
     *                    handshake timeout starts there; with several, Helidon first waits for bytes to choose); a
     *                    TLS socket's connection limit and handshake deadline are its connection options
     * @param management  names of the sockets that serve only the observe endpoints: they get the ingress's management
     *                    selector (same head deadline, no WebSocket upgrade) instead of the upgrader
     * @param connections {@code max-tcp-connections} of a socket from the configured one (-1: none configured)
     */
    static void apply(WebServerConfig.Builder server, Ingress ingress, Set<String> management,
                      IntUnaryOperator connections) {
        ServerConnectionSelector selector = ingress.selector();
        DirectHandlers handlers = directHandlers();
        int serverConnections = connections.applyAsInt(server.maxTcpConnections());
        server.connectionSelectors(List.of(selector))
                .protocolsDiscoverServices(false)
                .protocols(List.of())
                .maxTcpConnections(serverConnections)
                .directHandlers(handlers)
                .errorHandling(messagesToHandlers(server.errorHandling()));
        server.tls().filter(Tls::enabled).ifPresent(tls -> {
            tls12Plus(WebServer.DEFAULT_SOCKET_NAME, tls);
            server.maxTcpConnections(-1)
                    .connectionOptions(ingress.tlsConnectionOptions(
                            server.connectionOptions().orElseGet(SocketOptions::create), serverConnections));
        });
        Map<String, ListenerConfig> sockets = new LinkedHashMap<>(server.sockets());
        sockets.forEach((name, socket) -> {
            socket.tls().filter(Tls::enabled).ifPresent(tls -> tls12Plus(name, tls));
            ServerConnectionSelector socketSelector = management.contains(name) ? ingress.managementSelector()
                    : selector;
            if (!socket.connectionSelectors().contains(socketSelector)) {
                int socketConnections = connections.applyAsInt(socket.maxTcpConnections());
                ListenerConfig.Builder hardened = ListenerConfig.builder()
                        .from(socket)
                        .connectionSelectors(List.of(socketSelector))
                        .protocolsDiscoverServices(false)
                        .protocols(List.of())
                        .maxTcpConnections(socketConnections)
                        .directHandlers(handlers)
                        .errorHandling(messagesToHandlers(socket.errorHandling()));
                if (socket.tls().filter(Tls::enabled).isPresent()) {
                    hardened.maxTcpConnections(-1)
                            .connectionOptions(ingress.tlsConnectionOptions(socket.connectionOptions(),
                                                                            socketConnections));
                }
                server.putSocket(name, hardened.build());
            }
        });
    }

    /**
     * Refuse TLS 1.0/1.1 (and SSL): when no {@code protocols} are configured, only TLSv1.3 and TLSv1.2 are enabled;
     * configured protocols below 1.2 stop the startup.
     */
    private static void tls12Plus(String socket, Tls tls) {
        String[] configured = tls.sslParameters().getProtocols();
        if (configured == null || configured.length == 0) {
            tls.sslParameters().setProtocols(DEFAULT_PROTOCOLS.clone());
        } else {
            List<String> bad = new ArrayList<>();
            for (String p : configured) {
                if (!ALLOWED_PROTOCOLS.contains(p)) {
                    bad.add(p);
                }
            }
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException("TLS protocols " + bad + " of socket '" + socket + "' are not "
                                                           + "allowed: TLSv1.2 and TLSv1.3 only");
            }
        }
        LOGGER.log(System.Logger.Level.INFO, () -> "socket '" + socket + "' serves TLS "
                + Arrays.toString(tls.sslParameters().getProtocols()));
    }

    /**
     * Helidon hands the direct handlers a message only with {@code include-entity}; the gateway's handlers need it to
     * recognise oversized headers, and drop it otherwise (bodies stay as Helidon's defaults: empty).
     */
    private static ErrorHandling messagesToHandlers(ErrorHandling configured) {
        return ErrorHandling.builder().from(configured).includeEntity(true).build();
    }

    private static DirectHandlers directHandlers() {
        DirectHandler handler = new DirectHandler() {
            @Override
            public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                            ServerResponseHeaders responseHeaders, Throwable thrown) {
                if (headersTooLarge(thrown)) {
                    return handle(request, eventType, defaultStatus, responseHeaders, "Header size exceeded");
                }
                return DirectHandler.defaultHandler().handle(request, eventType, defaultStatus, responseHeaders,
                                                             thrown);
            }

            @Override
            public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                            ServerResponseHeaders responseHeaders, String message) {
                if (message != null && message.contains("Header size exceeded")) {
                    Refusal refusal = new Refusal(431, "headers_too_large", "Request header fields too large");
                    return TransportResponse.builder()
                            .status(RefusalRenderer.status(refusal.status()))
                            .headers(responseHeaders)
                            .header(HeaderValues.CONTENT_TYPE_JSON)
                            .keepAlive(false)
                            .entity(RefusalRenderer.body(refusal))
                            .build();
                }
                return DirectHandler.defaultHandler().handle(request, eventType, defaultStatus, responseHeaders,
                                                             (String) null);
            }
        };
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            builder.addHandler(type, handler);
        }
        return builder.build();
    }

    private static boolean headersTooLarge(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("Header size exceeded")) {
                return true;
            }
        }
        return false;
    }
}
