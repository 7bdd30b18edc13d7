package dev.wsgateway.gateway.upstream;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import dev.wsgateway.gateway.http.HandshakeKeys;
import dev.wsgateway.gateway.http.Refusal;
import dev.wsgateway.gateway.http.WsHeaders;

import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;

/**
 * Opens upstream WebSocket connections itself: a TCP connection (wrapped in TLS for {@code wss} instances), the HTTP/1.1
 * upgrade request with the forwarded handshake headers (RFC 6455 §4.1), and the instance's answer read up to the end
 * of its head. The connection is then handed to the relay as a plain socket, with the bytes the instance sent after its
 * 101. An HTTP client would do the same with more objects and buffers per connection, and keep an 8 KiB read buffer
 * for the whole life of the session.
 */
public final class UpstreamConnector {
    private final int timeoutMillis;
    private final Tls tls;

    /**
     * @param connectTimeout time to connect, and then for each read of the TLS handshake and the 101
     * @param tls      TLS for {@code wss} instances (trust, host name verification, client certificate); {@code null}
     *                 for the JDK's default trust with host name verification
     */
    public UpstreamConnector(Duration connectTimeout, Tls tls) {
        this.timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        this.tls = tls;
    }

    /**
     * An upstream that accepted the upgrade.
     *
     * @param socket      the upgraded connection (blocking, no read timeout)
     * @param leftover    bytes the upstream sent right after its 101 (already read)
     * @param headers     the upstream's 101 headers
     * @param subprotocol the subprotocol it chose, empty if none
     */
    public record Link(Socket socket, byte[] leftover, Headers headers, String subprotocol) {
        /**
         * The extensions the upstream negotiated.
         *
         * @return {@code Sec-WebSocket-Extensions} of the 101, empty when none
         */
        public String extensions() {
            return headers.first(WsHeaders.EXTENSIONS).orElse("");
        }

        /**
         * Close the connection (a session that will not use it).
         */
        public void close() {
            closeQuietly(socket);
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
        String key = HandshakeKeys.newKey();
        Socket socket = null;
        try {
            socket = open(target);
            OutputStream out = socket.getOutputStream();
            out.write(UpgradeRequest.bytes(target, headers, key));
            out.flush();
            byte[] head = new byte[1024];
            int read = 0;
            UpgradeAnswer answer;
            InputStream in = socket.getInputStream();
            while ((answer = UpgradeAnswer.parse(head, read)) == null) {
                if (read == head.length) {
                    head = Arrays.copyOf(head, Math.min(head.length * 2, UpgradeAnswer.MAX_HEAD));
                }
                int n = in.read(head, read, head.length - read);
                if (n < 0) {
                    throw new EOFException("connection closed before the end of the response head");
                }
                read += n;
            }
            if (answer.status() != 101) {
                throw handshakeRefused(target, answer);
            }
            Link link = accepted(target, socket, answer, key, offered,
                                 Arrays.copyOfRange(head, answer.headLength(), read));
            socket.setSoTimeout(0);
            return link;
        } catch (Refusal e) {
            closeQuietly(socket);
            throw e;
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw connectFailure(target, e);
        }
    }

    private Socket open(UpstreamTarget target) throws IOException {
        String host = target.instance().host();
        int port = target.instance().port();
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            if (!target.instance().secure()) {
                return socket;
            }
            SSLSocket secure = (SSLSocket) sslContext().getSocketFactory().createSocket(socket, host, port, true);
            if (tls != null) {
                secure.setSSLParameters(tls.sslParameters());
            } else {
                SSLParameters parameters = secure.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                secure.setSSLParameters(parameters);
            }
            secure.startHandshake();
            return secure;
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    private SSLContext sslContext() throws IOException {
        if (tls != null) {
            return tls.sslContext();
        }
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new SSLException("no default TLS context", e);
        }
    }

    private static Link accepted(UpstreamTarget target, Socket socket, UpgradeAnswer answer, String key,
                                 List<String> offered, byte[] leftover) {
        Headers responseHeaders = answer.headers();
        String instance = target.instance().instanceId();
        if (!responseHeaders.first(HeaderNames.UPGRADE).orElse("").trim().equalsIgnoreCase("websocket")
                || !hasToken(responseHeaders, HeaderNames.CONNECTION, "upgrade")) {
            throw new Refusal(502, "upstream_handshake", "Upstream " + instance + " answered 101 without "
                    + "'Upgrade: websocket' and 'Connection: Upgrade'");
        }
        String accept = responseHeaders.first(WsHeaders.ACCEPT).orElse("");
        if (!accept.equals(HandshakeKeys.accept(key))) {
            throw new Refusal(502, "upstream_handshake",
                              "Upstream " + instance + " answered with an invalid Sec-WebSocket-Accept");
        }
        String subprotocol = responseHeaders.first(WsHeaders.PROTOCOL).orElse("").trim();
        if (!subprotocol.isEmpty() && !offered.contains(subprotocol)) {
            throw new Refusal(502, "upstream_handshake",
                              "Upstream chose subprotocol '" + subprotocol + "' the client did not offer");
        }
        return new Link(socket, leftover, responseHeaders, subprotocol);
    }

    private static boolean hasToken(Headers headers, HeaderName name, String token) {
        for (String value : headers.values(name)) {
            for (String part : value.split(",")) {
                if (part.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Refusal handshakeRefused(UpstreamTarget target, UpgradeAnswer answer) {
        int status = answer.status();
        if (status == 401 || status == 403) {
            Optional<String> challenge = answer.headers().first(HeaderNames.WWW_AUTHENTICATE);
            return new Refusal(status, status == 401 ? "unauthorized" : "forbidden",
                               "Upstream service refused the credentials",
                               challenge.map(c -> Map.of("WWW-Authenticate", c)).orElse(Map.of()));
        }
        return new Refusal(502, status >= 500 ? "upstream_handshake" : "upstream_rejected",
                           "Upstream " + target.instance().instanceId() + " answered the WebSocket "
                                   + "handshake with HTTP " + status);
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    private static Refusal connectFailure(UpstreamTarget target, Exception e) {
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
            if (t instanceof IllegalArgumentException) {
                return new Refusal(502, "upstream_handshake", "Upstream " + instance
                        + " answered the WebSocket handshake with a malformed HTTP response: " + t.getMessage());
            }
            if (t instanceof IOException) {
                return new Refusal(502, "upstream_io", "Connection to upstream " + instance + " failed");
            }
        }
        return new Refusal(502, "upstream_error", "Connection to upstream " + instance + " failed");
    }
}
