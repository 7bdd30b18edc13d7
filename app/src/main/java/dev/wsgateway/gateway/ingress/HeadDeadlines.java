package dev.wsgateway.gateway.ingress;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import dev.wsgateway.gateway.relay.SessionRegistry;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * The handshake timeout ({@code gateway.security.limits.handshake-timeout}): a connection that has not sent a
 * complete request head within it (counted from the accept, or from the first byte after a previous request) is
 * closed. Helidon 4.2 bounds no part of that: its idle timer skips a connection that is reading headers, and a
 * connection that sends nothing is not even listed until its first byte. Also turns a client that leaves in the
 * middle of a request into a counted client close instead of Helidon's 500 with a stack trace.
 * <p>
 * Works as the HTTP/1 connection selector's wrapper (each connection reads through a {@link WatchedConnection}) and
 * as its receive/send listener (a complete head, a response). The selector must be the listener's only one, so that
 * Helidon creates the connection at the accept instead of after the first bytes.
 */
final class HeadDeadlines implements Http1ConnectionListener {
    private static final System.Logger LOGGER = System.getLogger(HeadDeadlines.class.getName());
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final Duration timeout;
    private final SessionRegistry events;
    private final TlsAccepts tls;

    /**
     * @param timeout longest time for a request head, {@link Duration#ZERO} for no limit
     * @param events  told about incomplete heads (metrics)
     */
    HeadDeadlines(Duration timeout, SessionRegistry events) {
        this.timeout = timeout;
        this.events = events;
        this.tls = new TlsAccepts(this);
    }

    /**
     * @return the TLS listeners' accepted connections (their handshake deadline and permits)
     */
    TlsAccepts tls() {
        return tls;
    }

    /**
     * @return longest time for a request head, {@link Duration#ZERO} for no limit
     */
    Duration timeout() {
        return timeout;
    }

    /**
     * The selector whose connections read through a {@link WatchedConnection}.
     *
     * @param http1 the gateway's HTTP/1 selector, built with this listener
     * @return the selector to put on the listeners
     */
    ServerConnectionSelector wrap(ServerConnectionSelector http1) {
        return new ServerConnectionSelector() {
            @Override
            public int bytesToIdentifyConnection() {
                return http1.bytesToIdentifyConnection();
            }

            @Override
            public Support supports(BufferData data) {
                return http1.supports(data);
            }

            @Override
            public Set<String> supportedApplicationProtocols() {
                return http1.supportedApplicationProtocols();
            }

            @Override
            public ServerConnection connection(ConnectionContext ctx) {
                // on a TLS listener the handshake is done: the head's deadline still counts from the accept
                Optional<TlsAccepts.Accepted> accepted = tls.handshakeDone(ctx);
                WatchedConnection watched = new WatchedConnection(ctx, HeadDeadlines.this,
                        accepted.map(TlsAccepts.Accepted::since).orElseGet(System::nanoTime));
                watched.accepted();
                ServerConnection connection = http1.connection(watched);
                return accepted.map(a -> a.holdingPermit(connection)).orElse(connection);
            }
        };
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        if (ctx instanceof WatchedConnection watched) {
            watched.headComplete();
        }
    }

    @Override
    public void status(ConnectionContext ctx, Status status) {
        if (ctx instanceof WatchedConnection watched) {
            watched.responseStarted();
        }
    }

    /**
     * Schedule the deadline of a head.
     *
     * @param since when the head's time started ({@link System#nanoTime()})
     * @return the scheduled close, {@code null} when there is no limit
     */
    ScheduledFuture<?> schedule(WatchedConnection connection, long since) {
        if (timeout.isZero()) {
            return null;
        }
        long left = timeout.toNanos() - (System.nanoTime() - since);
        return TIMER.schedule(() -> expire(connection), Math.max(0, left), TimeUnit.NANOSECONDS);
    }

    /**
     * Run a task after a delay on the deadlines' timer.
     */
    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return TIMER.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A TLS connection was closed because its handshake did not end within the timeout.
     *
     * @param host  the client
     * @param since when it was accepted ({@link System#nanoTime()})
     */
    void tlsHandshakeTimedOut(String host, long since) {
        LOGGER.log(System.Logger.Level.DEBUG, () -> "closed client " + host + ": no TLS handshake in "
                + (System.nanoTime() - since) / 1_000_000 + " ms");
        events.handshakeIncomplete(host, "timeout");
    }

    /**
     * The client closed its connection in the middle of a request.
     */
    void abandoned(WatchedConnection connection) {
        String host = connection.remotePeer().host();
        LOGGER.log(System.Logger.Level.DEBUG, () -> "client " + host + " left in the middle of its request");
        events.handshakeIncomplete(host, "abandoned");
    }

    private void expire(WatchedConnection connection) {
        try {
            String host = connection.remotePeer().host();
            long took = connection.expire();
            if (took >= 0) {
                LOGGER.log(System.Logger.Level.DEBUG, () -> "closed client " + host + ": no complete request head in "
                        + took + " ms");
                events.handshakeIncomplete(host, "timeout");
            }
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.DEBUG, "closing a connection at its handshake timeout failed", e);
        }
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "handshake-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
