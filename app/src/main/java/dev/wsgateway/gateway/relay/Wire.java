package dev.wsgateway.gateway.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.socket.HelidonSocket;

/**
 * The connection under a leg: read, write, close. Failures are {@link UncheckedIOException}s.
 */
interface Wire {
    /**
     * Read the next bytes; they are then in {@link #chunk()}, from index 0.
     *
     * @return bytes read, {@code -1} at the end of the stream
     */
    int fill();

    /**
     * @return the array of the last {@link #fill()}
     */
    byte[] chunk();

    /**
     * @return whether that array stays as it is (a fresh array), so a reference may be kept
     */
    boolean chunkStable();

    /**
     * The bytes of the last fill are no longer used (called by the reading thread only).
     */
    default void release() {
    }

    int read(byte[] target);

    void write(byte[] bytes, int offset, int length);

    void close();

    /**
     * Stop writing: the peer reads the end of the stream (a TCP FIN, after a TLS close_notify) after what was
     * written; the connection can still be read.
     *
     * @return whether the output was shut down (else the caller closes the connection)
     */
    default boolean shutdownOutput() {
        return false;
    }

    /**
     * Read and drop what the peer still sends until it ends the stream, the connection fails or the deadline passes.
     * Called by one thread, once nothing else reads the connection.
     *
     * @param deadlineNanos {@link System#nanoTime()} at which to stop
     */
    default void drain(long deadlineNanos) {
    }

    /**
     * The client's connection, which Helidon's server accepted: read and written on the JDK socket under it when that
     * can be reached ({@link HelidonSockets}), into buffers of the gateway's; else through Helidon's socket.
     *
     * @param socket the upgraded connection
     * @return wire
     */
    static Wire of(HelidonSocket socket) {
        Socket raw = HelidonSockets.takeOver(socket);
        return raw == null ? new HelidonWire(socket) : SocketWire.of(raw, true);
    }

    /**
     * A connection of Helidon's whose JDK socket cannot be reached (and in-memory test sockets): each read returns a
     * fresh array of the bytes read; no half-close.
     */
    final class HelidonWire implements Wire {
        private final HelidonSocket socket;
        private byte[] chunk;

        HelidonWire(HelidonSocket socket) {
            this.socket = socket;
        }

        @Override
        public int fill() {
            byte[] next = socket.get();
            if (next == null) {
                return -1;
            }
            chunk = next;
            return next.length;
        }

        @Override
        public byte[] chunk() {
            return chunk;
        }

        @Override
        public boolean chunkStable() {
            return true;
        }

        @Override
        public int read(byte[] target) {
            return socket.read(BufferData.create(target).clear());
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            socket.write(BufferData.createReadOnly(bytes, offset, length));
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /**
     * A JDK socket read into buffers of the gateway's: the upstream connection the gateway opened, or the client's
     * taken over from Helidon. A leg waits for bytes on a small buffer of its own; when a read filled it and more bytes
     * are already readable, they are read into a pooled {@link BufferPool#SIZE} buffer that goes back to the pool
     * before the next read. An idle session thus holds {@link #SMALL} bytes per leg, not a full-size buffer, and no
     * read allocates.
     */
    final class SocketWire implements Wire {
        static final int SMALL = 2 * 1024;

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final boolean halfClose;
        private final byte[] small = new byte[SMALL];
        private byte[] borrowed;
        private boolean filled;
        private byte[] chunk;

        private SocketWire(Socket socket, boolean halfClose) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.halfClose = halfClose;
        }

        /**
         * @param socket    the connected socket
         * @param halfClose whether the output is shut down after the close frame and the input drained (the client's
         *                  connection, see {@link Linger}); else the connection is closed at once
         * @return wire
         */
        static SocketWire of(Socket socket, boolean halfClose) {
            try {
                return new SocketWire(socket, halfClose);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public int fill() {
            release();
            try {
                byte[] target = small;
                if (filled && in.available() > 0) {
                    borrowed = BufferPool.take();
                    target = borrowed;
                }
                // the three-argument read: one frame fewer on the stack the pump parks with
                int n = in.read(target, 0, target.length);
                filled = n == target.length;
                chunk = target;
                return n;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public byte[] chunk() {
            return chunk;
        }

        @Override
        public boolean chunkStable() {
            return false;
        }

        @Override
        public void release() {
            if (borrowed != null) {
                BufferPool.give(borrowed);
                borrowed = null;
            }
        }

        @Override
        public int read(byte[] target) {
            try {
                return in.read(target);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            try {
                out.write(bytes, offset, length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public boolean shutdownOutput() {
            if (!halfClose) {
                return false;
            }
            try {
                socket.shutdownOutput();
                return true;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        @Override
        public void drain(long deadlineNanos) {
            if (!halfClose) {
                return;
            }
            // its own array: the pump that read into the small one may not have let go of it yet
            byte[] discard = new byte[SMALL];
            try {
                while (true) {
                    long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        return;
                    }
                    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                    if (in.read(discard) < 0) {
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // timed out, reset or closed: the caller closes the connection
            }
        }
    }
}
