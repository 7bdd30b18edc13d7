package dev.wsgateway.gateway.ingress;

import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.http.BadRequestException;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;
import io.helidon.webserver.ServerConnectionException;

/**
 * A client connection as Helidon's HTTP/1 connection sees it, reading through a data reader that knows where the
 * connection is: reading a request head, in a request, or between requests. A head that is not complete within
 * the handshake timeout gets the connection closed ({@link HeadDeadlines}); a client that leaves in the middle of
 * a request ends the connection as a client close (Helidon would answer a 500 to nobody and log a stack trace).
 */
final class WatchedConnection implements ConnectionContext {
    private final ConnectionContext delegate;
    private final HeadDeadlines deadlines;
    private final DataReader reader;
    private final MethodToken method = new MethodToken();
    private State state = State.HEAD;
    private boolean headStarted;
    private long headSince;
    private ScheduledFuture<?> deadline;

    /**
     * Where the connection is.
     */
    private enum State {
        /** Reading a request head (from the accept, or from the first byte after a request). */
        HEAD,
        /** The head is complete: a request (or an upgrade) is under way. */
        REQUEST,
        /** The response started; the next byte starts a new head. */
        IDLE,
        /** Closed by its deadline. */
        EXPIRED
    }

    /**
     * @param accepted when the connection was accepted ({@link System#nanoTime()}): the first head's time starts there
     */
    WatchedConnection(ConnectionContext delegate, HeadDeadlines deadlines, long accepted) {
        this.delegate = delegate;
        this.deadlines = deadlines;
        this.headSince = accepted;
        DataReader original = delegate.dataReader();
        this.reader = new DataReader(() -> next(original));
    }

    /**
     * Start the deadline of the first head (counted from the accept).
     */
    synchronized void accepted() {
        deadline = deadlines.schedule(this, headSince);
    }

    /**
     * The request head is complete.
     */
    synchronized void headComplete() {
        state = State.REQUEST;
        cancel();
    }

    /**
     * A response started: the request is over.
     */
    synchronized void responseStarted() {
        if (state != State.EXPIRED) {
            state = State.IDLE;
        }
        cancel();
    }

    /**
     * The deadline passed: close the connection if its head is still incomplete.
     *
     * @return milliseconds the head took so far, or -1 when it completed meanwhile (nothing done)
     */
    long expire() {
        synchronized (this) {
            if (state != State.HEAD) {
                return -1;
            }
            state = State.EXPIRED;
            deadline = null;
        }
        delegate.serverSocket().close();
        return (System.nanoTime() - headSince) / 1_000_000;
    }

    private byte[] next(DataReader original) {
        try {
            original.ensureAvailable();
        } catch (DataReader.InsufficientDataAvailableException | ServerConnectionException e) {
            if (ended()) {
                deadlines.abandoned(this);
            }
            // Helidon's own way to say the client closed: ends the connection without an answer or a log line
            throw e instanceof ServerConnectionException sce ? sce
                    : new CloseConnectionException("Client closed the connection", e);
        }
        byte[] bytes = original.readBytes(original.available());
        if (received() && !method.accept(bytes, bytes.length)) {
            // a 400 as Helidon gives any other malformed request line, not the 500 its method parser would cause
            throw new BadRequestException("Invalid request method");
        }
        return bytes;
    }

    /**
     * Bytes arrived.
     *
     * @return whether they belong to a request head
     */
    private synchronized boolean received() {
        if (state == State.IDLE) {
            state = State.HEAD;
            headSince = System.nanoTime();
            deadline = deadlines.schedule(this, headSince);
            method.reset();
        }
        if (state == State.HEAD) {
            headStarted = true;
            return true;
        }
        return false;
    }

    /**
     * The connection ended under the client: was it in the middle of a request?
     */
    private synchronized boolean ended() {
        boolean midRequest = (state == State.HEAD && headStarted) || state == State.REQUEST;
        cancel();
        return midRequest;
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    @Override
    public DataReader dataReader() {
        return reader;
    }

    @Override
    public PeerInfo remotePeer() {
        return delegate.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return delegate.localPeer();
    }

    @Override
    public boolean isSecure() {
        return delegate.isSecure();
    }

    @Override
    public String socketId() {
        return delegate.socketId();
    }

    @Override
    public String childSocketId() {
        return delegate.childSocketId();
    }

    @Override
    public ListenerContext listenerContext() {
        return delegate.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return delegate.executor();
    }

    @Override
    public DataWriter dataWriter() {
        return delegate.dataWriter();
    }

    @Override
    public Router router() {
        return delegate.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return delegate.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return delegate.serverSocket();
    }
}
