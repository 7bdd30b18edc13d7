package dev.wsgateway.gateway.upstream;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import dev.wsgateway.gateway.http.HandshakeKeys;
import dev.wsgateway.gateway.http.WsHeaders;

import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;

/**
 * Opens upstream WebSocket connections itself: a TCP connection (wrapped in TLS for {@code wss} instances), the HTTP/1.1
 * upgrade request with the forwarded handshake headers (RFC 6455 §4.1), and the instance's answer read up to the end
 * of its head, checked by {@link UpgradeCheck}. The connection is then handed to the relay as a plain socket, with the
 * bytes the instance sent after its 101. An HTTP client would do the same with more objects and buffers per
 * connection, and keep an 8 KiB read buffer for the whole life of the session.
 *
 * <p>An attempt has one deadline for all of it (TCP connect, TLS handshake, request, the whole answer head):
 * {@code connect-timeout} from its start, or the caller's earlier deadline. A single daemon timer thread closes the
 * plain socket of an attempt still running at its deadline; closing a socket never blocks, so the timer never waits on
 * an attempt, and the connecting thread holds no lock while it reads.
 */
public final class UpstreamConnector implements AutoCloseable {
    private final long timeoutNanos;
    private final Tls tls;
    private final ScheduledThreadPoolExecutor deadlines;

    /**
     * @param connectTimeout longest time of one attempt: connect, TLS handshake and the whole answer head
     * @param tls            TLS for {@code wss} instances (trust, host name verification, client certificate);
     *                       {@code null} for the JDK's default trust with host name verification
     */
    public UpstreamConnector(Duration connectTimeout, Tls tls) {
        this.timeoutNanos = Math.max(1, connectTimeout.toNanos());
        this.tls = tls;
        this.deadlines = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().daemon().name("wsgateway-connect-deadlines").factory());
        deadlines.setRemoveOnCancelPolicy(true);
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
     * Connect and upgrade within {@code connect-timeout}.
     *
     * @param target  where to
     * @param headers request headers to send (forwarded client headers; key, version and upgrade are added here)
     * @param offered subprotocols the client offered
     * @return the link
     * @throws UpstreamException why the instance gave no usable 101
     */
    Link connect(UpstreamTarget target, Map<String, List<String>> headers, List<String> offered) {
        return connect(target, headers, offered, System.nanoTime() + timeoutNanos);
    }

    /**
     * Connect and upgrade within {@code connect-timeout} and before a deadline of the caller.
     *
     * @param target   where to
     * @param headers  request headers to send (forwarded client headers; key, version and upgrade are added here)
     * @param offered  subprotocols the client offered
     * @param deadline {@link System#nanoTime()} at which the attempt ends if it has not already
     * @return the link
     * @throws UpstreamException why the instance gave no usable 101 ({@link ConnectFailure.TimedOut} at the deadline)
     */
    Link connect(UpstreamTarget target, Map<String, List<String>> headers, List<String> offered, long deadline) {
        long start = System.nanoTime();
        long left = Math.min(timeoutNanos, deadline - start);
        String instance = target.instance().instanceId();
        if (left <= 0) {
            throw new UpstreamException(new ConnectFailure.TimedOut(instance));
        }
        // a direct connection: without Proxy.NO_PROXY every connect builds a URI and asks the default ProxySelector
        Attempt attempt = new Attempt(new Socket(Proxy.NO_PROXY));
        ScheduledFuture<?> cut = deadlines.schedule(attempt::expire, left, TimeUnit.NANOSECONDS);
        Socket socket = attempt.raw;
        try {
            socket = open(target, attempt.raw, left);
            String key = HandshakeKeys.newKey();
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
                throw new UpstreamException(new ConnectFailure.Rejected(
                        instance, answer.status(), answer.headers().first(HeaderNames.WWW_AUTHENTICATE)));
            }
            Link link = UpgradeCheck.accepted(instance, socket, answer, key, offered, headers,
                                              Arrays.copyOfRange(head, answer.headLength(), read));
            if (!attempt.finish()) {
                throw new SocketTimeoutException("deadline");
            }
            cut.cancel(false);
            return link;
        } catch (UpstreamException e) {
            cut.cancel(false);
            closeQuietly(socket);
            throw e;
        } catch (IOException | RuntimeException e) {
            cut.cancel(false);
            closeQuietly(socket);
            throw new UpstreamException(attempt.expired() ? new ConnectFailure.TimedOut(instance)
                                                          : failure(instance, e));
        }
    }

    private Socket open(UpstreamTarget target, Socket socket, long leftNanos) throws IOException {
        String host = target.instance().host();
        int port = target.instance().port();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port),
                       (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(leftNanos))));
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

    static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    /**
     * The failure an exception of a running attempt stands for.
     */
    static ConnectFailure failure(String instance, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return new ConnectFailure.TimedOut(instance);
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return new ConnectFailure.Refused(instance);
            }
            if (t instanceof UnknownHostException) {
                return new ConnectFailure.UnknownHost(instance);
            }
            if (t instanceof SSLException) {
                return new ConnectFailure.TlsFailed(instance, String.valueOf(t.getMessage()));
            }
            if (t instanceof IllegalArgumentException) {
                return new ConnectFailure.BadAnswer(instance, "answered the WebSocket handshake with a malformed "
                        + "HTTP response: " + t.getMessage());
            }
        }
        return new ConnectFailure.Broken(instance);
    }

    /**
     * Stop the deadline timer (after the server stopped).
     */
    @Override
    public void close() {
        deadlines.shutdownNow();
    }

    /**
     * One attempt's race between its end and its deadline: whichever comes first wins; a deadline that wins closes
     * the plain socket (which ends a blocked connect, TLS handshake or read at once).
     */
    private static final class Attempt {
        private static final int RUNNING = 0;
        private static final int FINISHED = 1;
        private static final int EXPIRED = 2;

        private final Socket raw;
        private final AtomicInteger state = new AtomicInteger(RUNNING);

        Attempt(Socket raw) {
            this.raw = raw;
        }

        void expire() {
            if (state.compareAndSet(RUNNING, EXPIRED)) {
                closeQuietly(raw);
            }
        }

        boolean finish() {
            return state.compareAndSet(RUNNING, FINISHED);
        }

        boolean expired() {
            return state.get() == EXPIRED;
        }
    }
}
