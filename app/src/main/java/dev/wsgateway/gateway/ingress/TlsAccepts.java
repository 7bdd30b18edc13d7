package dev.wsgateway.gateway.ingress;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.SocketOptions;
import io.helidon.common.task.InterruptableTask;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;

/**
 * The connections of a TLS listener from the accept to the end of the TLS handshake, and the connections such a
 * listener holds at once. Helidon 4.2.0 runs the TLS handshake in {@code ConnectionHandler.run} before any
 * connection selector sees the connection, with no time limit, and when the handshake fails it throws out of
 * {@code run} before the {@code try}/{@code finally} that releases the listener's {@code max-tcp-connections}
 * permit and closes the socket: every failed handshake (a scanner, a plain-HTTP request, a client that leaves) keeps
 * a permit for good, until the listener accepts nothing more.
 * <p>
 * So a TLS listener gets no Helidon limit; its connection options ({@link #options}, applied by Helidon to each
 * accepted socket on the listener thread) take a permit of the gateway's own instead (waiting, as Helidon would,
 * when none is left) and start the handshake deadline. A connection that reaches the gateway's selector (the
 * handshake is done, see {@link #handshakeDone}) keeps its permit until Helidon has handled it; one that does not
 * by {@code handshake-timeout} is closed and its permit returned, counted as a handshake timeout when it was still
 * open (a failed handshake closed it already). With no {@code handshake-timeout}, failed handshakes still return
 * their permits (checked every 5 s).
 */
final class TlsAccepts {
    private static final System.Logger LOGGER = System.getLogger(TlsAccepts.class.getName());
    private static final Duration NO_LIMIT_SWEEP = Duration.ofSeconds(5);

    private final HeadDeadlines deadlines;
    private final Map<Peers, Accepted> handshaking = new ConcurrentHashMap<>();

    TlsAccepts(HeadDeadlines deadlines) {
        this.deadlines = deadlines;
    }

    /**
     * Connection options for a TLS listener.
     *
     * @param configured     the listener's configured options (applied first)
     * @param maxConnections connections the listener may hold at once, -1 for no limit
     * @return options that take a permit and start the handshake deadline of each accepted socket
     */
    SocketOptions options(SocketOptions configured, int maxConnections) {
        return new Options(configured, maxConnections < 0 ? null : new Semaphore(maxConnections));
    }

    /**
     * Helidon completed the TLS handshake of a connection and hands it to the gateway's selector.
     *
     * @param ctx the connection
     * @return the accepted connection (its accept time, its permit), empty for a connection of a plain listener or
     *         one whose deadline passed meanwhile
     */
    Optional<Accepted> handshakeDone(ConnectionContext ctx) {
        if (!ctx.isSecure() || handshaking.isEmpty()) {
            // a plain listener's connection has no entry: no need to ask the socket for its local address
            return Optional.empty();
        }
        Accepted accepted = handshaking.remove(new Peers(ctx.localPeer().address(), ctx.remotePeer().address()));
        if (accepted != null) {
            accepted.cancelDeadline();
        }
        return Optional.ofNullable(accepted);
    }

    private void accepted(Socket socket, Semaphore permits) {
        if (permits != null) {
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                // Helidon closes the socket (and stops listening when it is shut down)
                throw new IllegalStateException("interrupted while waiting for a connection permit", e);
            }
        }
        Accepted accepted = new Accepted(socket, permits, System.nanoTime());
        handshaking.put(accepted.peers, accepted);
        schedule(accepted);
    }

    private void schedule(Accepted accepted) {
        accepted.deadline(deadlines.schedule(() -> expire(accepted),
                                             deadlines.timeout().isZero() ? NO_LIMIT_SWEEP : deadlines.timeout()));
    }

    private void expire(Accepted accepted) {
        Socket socket = accepted.socket;
        boolean open = !socket.isClosed();
        if (open && deadlines.timeout().isZero()) {
            schedule(accepted);
            return;
        }
        if (!handshaking.remove(accepted.peers, accepted)) {
            return;
        }
        try {
            socket.close();
        } catch (IOException | RuntimeException e) {
            LOGGER.log(System.Logger.Level.TRACE, "closing a connection at its TLS handshake deadline failed", e);
        }
        accepted.release();
        if (open) {
            deadlines.tlsHandshakeTimedOut(socket.getInetAddress().getHostAddress(), accepted.since());
        }
    }

    /**
     * The addresses of both ends: what the accepted socket and Helidon's connection context have in common.
     */
    private record Peers(SocketAddress local, SocketAddress remote) {
    }

    /**
     * A connection of a TLS listener: its permit and its handshake deadline.
     */
    static final class Accepted {
        private final Socket socket;
        private final Semaphore permits;
        private final long since;
        private final Peers peers;
        private final AtomicBoolean released = new AtomicBoolean();
        private ScheduledFuture<?> deadline;

        private Accepted(Socket socket, Semaphore permits, long since) {
            this.socket = socket;
            this.permits = permits;
            this.since = since;
            this.peers = new Peers(socket.getLocalSocketAddress(), socket.getRemoteSocketAddress());
        }

        /**
         * @return when the connection was accepted ({@link System#nanoTime()})
         */
        long since() {
            return since;
        }

        /**
         * The connection as Helidon handles it, returning the permit once Helidon is done with it.
         */
        ServerConnection holdingPermit(ServerConnection connection) {
            return permits == null ? connection : new Permitted(connection, this);
        }

        private synchronized void deadline(ScheduledFuture<?> deadline) {
            this.deadline = deadline;
        }

        private synchronized void cancelDeadline() {
            if (deadline != null) {
                deadline.cancel(false);
            }
        }

        private void release() {
            if (permits != null && released.compareAndSet(false, true)) {
                permits.release();
            }
        }
    }

    /**
     * A connection that returns its listener permit when Helidon's handling of it ends.
     */
    private record Permitted(ServerConnection delegate, Accepted accepted)
            implements ServerConnection, InterruptableTask<Void> {
        @Override
        public void handle(Limit limit) throws InterruptedException {
            try {
                delegate.handle(limit);
            } finally {
                accepted.release();
            }
        }

        @Override
        public Duration idleTime() {
            return delegate.idleTime();
        }

        @Override
        public void close(boolean interrupt) {
            delegate.close(interrupt);
        }

        @Override
        public boolean canInterrupt() {
            return delegate instanceof InterruptableTask<?> task && task.canInterrupt();
        }
    }

    /**
     * A TLS listener's connection options: the configured ones, then a permit and a handshake deadline.
     */
    private final class Options implements SocketOptions {
        private final SocketOptions configured;
        private final Semaphore permits;

        private Options(SocketOptions configured, Semaphore permits) {
            this.configured = configured;
            this.permits = permits;
        }

        @Override
        public void configureSocket(Socket socket) {
            configured.configureSocket(socket);
            accepted(socket, permits);
        }

        @Override
        public Map<SocketOption<?>, Object> socketOptions() {
            return configured.socketOptions();
        }

        @Override
        public Duration connectTimeout() {
            return configured.connectTimeout();
        }

        @Override
        public Duration readTimeout() {
            return configured.readTimeout();
        }

        @Override
        public Optional<Integer> socketReceiveBufferSize() {
            return configured.socketReceiveBufferSize();
        }

        @Override
        public Optional<Integer> socketSendBufferSize() {
            return configured.socketSendBufferSize();
        }

        @Override
        public boolean socketReuseAddress() {
            return configured.socketReuseAddress();
        }

        @Override
        public boolean socketKeepAlive() {
            return configured.socketKeepAlive();
        }

        @Override
        public boolean tcpNoDelay() {
            return configured.tcpNoDelay();
        }
    }
}
