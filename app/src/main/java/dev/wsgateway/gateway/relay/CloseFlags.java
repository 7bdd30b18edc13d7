package dev.wsgateway.gateway.relay;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.helidon.websocket.WsCloseCodes;

/**
 * The close handshake of one connection: the close frame sent (its code), the close frame received (its code), and
 * whether the connection was closed. Owned by the session's {@link SessionMachine} (one for the client, one for the
 * current upstream, a fresh one for each instance the session resumes on); the {@link Leg} of that connection is
 * bound to it and asks it.
 * <p>
 * <b>Thread-safety.</b> Atomics and volatiles only, no lock: the close sent is claimed by one compare-and-set (exactly
 * one thread sends a close on a connection, whoever it is: a pump forwarding a peer's close, the session closing with
 * its own, the machine claiming it under the session's lock for an action), so it is safe to call from the pumps, the
 * watchdog and the session's lock holders alike. {@link #sent()} is one volatile read: the pumps ask it per close
 * frame and per flushed range.
 */
final class CloseFlags {
    private final AtomicInteger codeSent = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile int codeReceived;

    /**
     * Claim the sending of the close frame: after this, no other close is sent on the connection.
     *
     * @param code its close code (never 0)
     * @return whether the caller owns the close (none was claimed before) and must now send it
     */
    boolean claim(int code) {
        return codeSent.compareAndSet(0, code);
    }

    /**
     * @return whether a close frame was claimed (sent, or about to be) on the connection
     */
    boolean sent() {
        return codeSent.get() != 0;
    }

    /**
     * @return the code of the close claimed on the connection, 0 if none
     */
    int codeSent() {
        return codeSent.get();
    }

    /**
     * The peer's close frame arrived.
     *
     * @param code its code, or 0 when not known (read while its frames are discarded): {@code 1005} is kept then,
     *             unless a code was recorded before
     */
    void received(int code) {
        if (code != 0) {
            codeReceived = code;
        } else if (codeReceived == 0) {
            codeReceived = WsCloseCodes.NO_STATUS_CODE;
        }
    }

    /**
     * @return whether the peer sent a close frame
     */
    boolean received() {
        return codeReceived != 0;
    }

    /**
     * @return the code of the peer's close frame ({@code 1005} when it had none or was not read), 0 if none came
     */
    int codeReceived() {
        return codeReceived;
    }

    /**
     * @return whether the close handshake is complete (close sent and received)
     */
    boolean handshakeDone() {
        return received() && sent();
    }

    /**
     * Mark the connection closed.
     *
     * @return whether this call closed it (it was not before)
     */
    boolean close() {
        return closed.compareAndSet(false, true);
    }

    /**
     * Mark the connection closed, whether it was or not.
     */
    void closeNow() {
        closed.set(true);
    }

    /**
     * @return whether the connection was closed
     */
    boolean closed() {
        return closed.get();
    }

    @Override
    public String toString() {
        return "sent " + codeSent.get() + " received " + codeReceived + (closed.get() ? " closed" : "");
    }
}
