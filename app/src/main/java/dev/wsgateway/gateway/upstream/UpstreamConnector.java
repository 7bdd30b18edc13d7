package dev.wsgateway.gateway.upstream;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLException;

import dev.wsgateway.gateway.http.HandshakeKeys;
import dev.wsgateway.gateway.http.Refusal;
import dev.wsgateway.gateway.http.WsHeaders;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.socket.SocketOptions;
import io.helidon.common.tls.Tls;
import io.helidon.http.ClientRequestHeaders;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientConfig;
import io.helidon.webclient.http1.UpgradeResponse;

/**
 * Opens upstream WebSocket connections with one shared Helidon HTTP/1.1 client: an upgrade request per session
 * carrying the forwarded handshake headers, then the raw connection is handed to the relay.
 */
public final class UpstreamConnector {
    private final Http1Client client;

    /**
     * @param connectTimeout time to connect and get the 101
     * @param tls      TLS for {@code wss} instances (trust, host name verification, client certificate); {@code null}
     *                 for Helidon's default client TLS
     */
    public UpstreamConnector(Duration connectTimeout, Tls tls) {
        Http1ClientConfig.Builder builder = Http1Client.builder();
        if (tls != null) {
            builder.tls(tls);
        }
        this.client = builder
                .connectTimeout(connectTimeout)
                .readTimeout(connectTimeout)
                .followRedirects(false)
                // no proxy: Helidon's default (system proxy) does a reverse DNS lookup of the instance on every connect
                .proxy(Proxy.noProxy())
                .sendExpectContinue(false)
                .shareConnectionCache(false)
                .socketOptions(SocketOptions.builder()
                                       .connectTimeout(connectTimeout)
                                       .readTimeout(connectTimeout)
                                       .tcpNoDelay(true)
                                       .build())
                .build();
    }

    /**
     * An upstream that accepted the upgrade.
     *
     * @param connection  the upgraded connection
     * @param leftover    bytes the upstream sent right after its 101 (already read)
     * @param headers     the upstream's 101 headers
     * @param subprotocol the subprotocol it chose, empty if none
     */
    public record Link(ClientConnection connection, byte[] leftover, Headers headers, String subprotocol) {
        /**
         * The extensions the upstream negotiated.
         *
         * @return {@code Sec-WebSocket-Extensions} of the 101, empty when none
         */
        public String extensions() {
            return headers.first(WsHeaders.EXTENSIONS).orElse("");
        }
    }

    /**
     * Connect and upgrade.
     *
     * @param target  where to
     * @param headers request headers to send (forwarded client headers; key, version and upgrade are added here)
     * @param offered subprotocols the client offered
     * @return the link
     * @throws Refusal 502 refused or failed handshake, 504 timeout, 401/403 as the upstream answered
     */
    Link connect(UpstreamTarget target, Map<String, List<String>> headers, List<String> offered) {
        URI uri = target.uri();
        String key = HandshakeKeys.newKey();
        URI http = URI.create((target.instance().secure() ? "https" : "http") + uri.toString().substring(uri.getScheme().length()));
        UpgradeResponse response;
        try {
            response = client.get()
                    .uri(http)
                    .headers(h -> setHeaders(h, headers, key, target))
                    .upgrade("websocket");
        } catch (RuntimeException e) {
            throw connectFailure(target, e);
        }
        if (!response.isUpgraded()) {
            throw handshakeRefused(target, response.response());
        }
        ClientConnection connection = response.connection();
        try {
            Headers responseHeaders = response.response().headers();
            String accept = responseHeaders.first(WsHeaders.ACCEPT).orElse("");
            if (!accept.equals(HandshakeKeys.accept(key))) {
                throw new Refusal(502, "upstream_handshake",
                                           "Upstream " + target.instance().instanceId() + " answered with an invalid "
                                                   + "Sec-WebSocket-Accept");
            }
            String subprotocol = responseHeaders.first(WsHeaders.PROTOCOL).orElse("").trim();
            if (!subprotocol.isEmpty() && !offered.contains(subprotocol)) {
                throw new Refusal(502, "upstream_handshake",
                                           "Upstream chose subprotocol '" + subprotocol + "' the client did not offer");
            }
            connection.readTimeout(Duration.ZERO);
            DataReader reader = connection.reader();
            int available = reader.available();
            byte[] leftover = available > 0 ? reader.readBytes(available) : new byte[0];
            return new Link(connection, leftover, responseHeaders, subprotocol);
        } catch (RuntimeException e) {
            connection.closeResource();
            throw e;
        }
    }

    private static void setHeaders(ClientRequestHeaders h,
                                   Map<String, List<String>> forwarded,
                                   String key,
                                   UpstreamTarget target) {
        h.clear();
        forwarded.forEach((name, values) -> h.set(HeaderNames.create(name), values));
        h.set(HeaderNames.HOST, target.instance().authority());
        h.set(HeaderNames.CONNECTION, "Upgrade");
        h.set(HeaderNames.UPGRADE, "websocket");
        h.set(WsHeaders.KEY, key);
        h.set(WsHeaders.VERSION, "13");
    }

    private static Refusal handshakeRefused(UpstreamTarget target, HttpClientResponse response) {
        try (response) {
            int status = response.status().code();
            if (status == 401 || status == 403) {
                Optional<String> challenge = response.headers().first(HeaderNames.WWW_AUTHENTICATE);
                return new Refusal(status, status == 401 ? "unauthorized" : "forbidden",
                                            "Upstream service refused the credentials",
                                            challenge.map(c -> Map.of("WWW-Authenticate", c)).orElse(Map.of()));
            }
            return new Refusal(502, status >= 500 ? "upstream_handshake" : "upstream_rejected",
                                        "Upstream " + target.instance().instanceId() + " answered the WebSocket "
                                                + "handshake with HTTP " + status);
        }
    }

    private static Refusal connectFailure(UpstreamTarget target, RuntimeException e) {
        String instance = target.instance().instanceId();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return new Refusal(504, "upstream_timeout", "Upstream " + instance + " did not answer in time");
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return new Refusal(502, "upstream_refused", "Upstream " + instance + " refused the connection");
            }
            if (t instanceof UnknownHostException) {
                return new Refusal(502, "upstream_unknown_host", "Upstream host of " + instance + " is unknown");
            }
            if (t instanceof SSLException) {
                return new Refusal(502, "upstream_tls", "TLS handshake with upstream " + instance + " failed: "
                        + t.getMessage());
            }
            if (t instanceof IOException) {
                return new Refusal(502, "upstream_io", "Connection to upstream " + instance + " failed");
            }
        }
        return new Refusal(502, "upstream_error", "Connection to upstream " + instance + " failed");
    }

    /**
     * Release the shared client's resources.
     */
    public void close() {
        client.closeResource();
    }
}
