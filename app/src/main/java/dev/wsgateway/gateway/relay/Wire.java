package dev.wsgateway.gateway.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.Socket;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PlainSocket;

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
     * A connection Helidon's server accepted: each read returns a fresh array of the bytes read.
     */
    final class HelidonWire implements Wire {
        /**
         * The {@link Socket} under Helidon's {@link PlainSocket} (an {@code SSLSocket} for TLS): Helidon's socket has
         * no half-close. {@code null} when it cannot be reached; the connection is then closed at once, as before.
         */
        private static final Field DELEGATE = delegateField();

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

        @Override
        public boolean shutdownOutput() {
            Socket raw = raw();
            if (raw == null) {
                return false;
            }
            try {
                raw.shutdownOutput();
                return true;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        @Override
        public void drain(long deadlineNanos) {
            Socket raw = raw();
            if (raw == null) {
                return;
            }
            byte[] discard = new byte[SocketWire.SMALL];
            try {
                InputStream in = raw.getInputStream();
                while (true) {
                    long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        return;
                    }
                    raw.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                    if (in.read(discard) < 0) {
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // timed out, reset or closed: the caller closes the connection
            }
        }

        private Socket raw() {
            if (DELEGATE == null || !(socket instanceof PlainSocket)) {
                return null;
            }
            try {
                return (Socket) DELEGATE.get(socket);
            } catch (IllegalAccessException | RuntimeException e) {
                return null;
            }
        }

        private static Field delegateField() {
            try {
                Field field = PlainSocket.class.getDeclaredField("delegate");
                field.setAccessible(true);
                return field;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    }

    /**
     * A connection the gateway opened itself. A leg waits for bytes on a small buffer of its own; when a read filled
     * it and more bytes are already readable, they are read into a pooled {@link BufferPool#SIZE} buffer that goes
     * back to the pool before the next read. An idle session thus holds {@link #SMALL} bytes on this leg, not a
     * full-size buffer.
     */
    final class SocketWire implements Wire {
        static final int SMALL = 2 * 1024;

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final byte[] small = new byte[SMALL];
        private byte[] borrowed;
        private boolean filled;
        private byte[] chunk;

        private SocketWire(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        static SocketWire of(Socket socket) {
            try {
                return new SocketWire(socket);
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
                int n = in.read(target);
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
    }
}
