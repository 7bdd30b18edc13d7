package dev.wsgateway.gateway.relay;

import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;

/**
 * An in-memory {@link HelidonSocket} for unit tests of the relay: chunks queued with {@link #feed} are what the
 * reads return, in that order (one chunk per read, as a socket delivers them), {@link #end()} is the peer closing
 * the connection; every write is captured. No network.
 */
final class MemorySocket implements HelidonSocket {
    private static final byte[] END = new byte[0];

    private final LinkedBlockingDeque<byte[]> chunks = new LinkedBlockingDeque<>();
    private final List<byte[]> writes = new ArrayList<>();
    private volatile boolean closed;

    /**
     * Queue bytes for reading.
     */
    MemorySocket feed(byte[]... chunks) {
        for (byte[] chunk : chunks) {
            this.chunks.addLast(chunk.clone());
        }
        return this;
    }

    /**
     * The peer closes the connection after the queued chunks.
     */
    MemorySocket end() {
        chunks.addLast(END);
        return this;
    }

    /**
     * Every write, in order.
     */
    synchronized List<byte[]> writes() {
        return List.copyOf(writes);
    }

    /**
     * All bytes written, concatenated.
     */
    synchronized byte[] written() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writes.forEach(out::writeBytes);
        return out.toByteArray();
    }

    boolean closed() {
        return closed;
    }

    @Override
    public byte[] get() {
        byte[] chunk = take();
        return chunk == END ? null : chunk;
    }

    @Override
    public int read(BufferData buffer) {
        byte[] chunk = take();
        if (chunk == END) {
            return -1;
        }
        int n = Math.min(chunk.length, buffer.capacity());
        buffer.write(chunk, 0, n);
        if (n < chunk.length) {
            chunks.addFirst(java.util.Arrays.copyOfRange(chunk, n, chunk.length));
        }
        return n;
    }

    private byte[] take() {
        if (closed) {
            throw new UncheckedIOException(new SocketException("Socket closed"));
        }
        try {
            // a test that forgets end() fails instead of hanging
            byte[] chunk = chunks.pollFirst(5, java.util.concurrent.TimeUnit.SECONDS);
            if (chunk == null) {
                throw new IllegalStateException("test socket: nothing queued to read");
            }
            return chunk;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * From now on a write blocks (as on a peer that stopped reading) until {@link #releaseWrites()} or
     * {@link #close()}.
     */
    MemorySocket blockWrites() {
        gate = new java.util.concurrent.CountDownLatch(1);
        return this;
    }

    void releaseWrites() {
        java.util.concurrent.CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    /**
     * Whether a write is blocked now.
     */
    boolean writeBlocked() {
        return blockedWriters.get() > 0;
    }

    private volatile java.util.concurrent.CountDownLatch gate;
    private final java.util.concurrent.atomic.AtomicInteger blockedWriters = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void write(BufferData buffer) {
        java.util.concurrent.CountDownLatch g = gate;
        if (g != null) {
            blockedWriters.incrementAndGet();
            try {
                while (!closed && !g.await(10, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    // blocked like a full socket buffer
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                blockedWriters.decrementAndGet();
            }
        }
        synchronized (this) {
            if (closed) {
                throw new UncheckedIOException(new SocketException("Socket closed"));
            }
            byte[] bytes = new byte[buffer.available()];
            buffer.read(bytes);
            writes.add(bytes);
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public void idle() {
    }

    @Override
    public boolean isConnected() {
        return !closed;
    }

    @Override
    public PeerInfo remotePeer() {
        throw new UnsupportedOperationException("in-memory socket");
    }

    @Override
    public PeerInfo localPeer() {
        throw new UnsupportedOperationException("in-memory socket");
    }

    @Override
    public boolean isSecure() {
        return false;
    }

    @Override
    public String socketId() {
        return "mem";
    }

    @Override
    public String childSocketId() {
        return "mem";
    }
}
