package dev.wsgateway.gateway.relay;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A lingering close of the client's connection. Once the gateway's close frame is written the output is shut down
 * (the client reads the close, then the end of the stream) and what the client still sends (a frame may follow its
 * own close while the handshake completes) is read and dropped until it ends the stream or {@code close-timeout}
 * passes; only then is the socket closed. Closing it with bytes unread would send a TCP reset instead of a FIN, and
 * a reset discards whatever the client had not yet read, the gateway's close frame included.
 * <p>
 * The pump that reads the leg keeps reading while it runs (its read ends with the client's end of the stream); the
 * drain starts once it ended. Runs on a virtual thread of its own; the watchdog never waits for it, the session's
 * client thread does ({@link #await()}) before it gives the connection back to Helidon.
 */
final class Linger {
    private final long nanos;
    private final CountDownLatch readerEnded = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean started;

    /**
     * @param nanos how long the client may take to end its stream ({@code close-timeout})
     */
    Linger(long nanos) {
        this.nanos = nanos;
    }

    /**
     * The pump reading the leg ended: nothing else reads it now.
     */
    void readerEnded() {
        readerEnded.countDown();
    }

    /**
     * After the output was shut down: drain the input, then close, on a virtual thread.
     *
     * @param name  the leg's name, for the thread
     * @param wire  the connection
     * @param close closes it for good
     */
    void start(String name, Wire wire, Runnable close) {
        long deadline = System.nanoTime() + nanos;
        started = true;
        Thread.ofVirtual().name("relay-linger-" + name).start(() -> {
            try {
                if (readerEnded.await(nanos, TimeUnit.NANOSECONDS)) {
                    wire.drain(deadline);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                close.run();
                done.countDown();
            }
        });
    }

    /**
     * Wait until a lingering close started on this leg has closed the socket (at most its linger time and a little):
     * the thread Helidon gave the connection must not return before, Helidon would close the socket under it.
     *
     * @return {@code false} when interrupted (the caller closes the socket at once)
     */
    boolean await() {
        if (started) {
            try {
                done.await(nanos + TimeUnit.MILLISECONDS.toNanos(100), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
