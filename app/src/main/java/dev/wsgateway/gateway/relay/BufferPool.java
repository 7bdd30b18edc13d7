package dev.wsgateway.gateway.relay;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Large transfer buffers for frames whose payload does not fit the socket's own read buffer: taken while such a
 * payload streams through a pump and given back right after, so that idle sessions hold none. At most
 * {@link #MAX_POOLED} buffers are kept.
 */
final class BufferPool {
    static final int SIZE = 64 * 1024;
    private static final int MAX_POOLED = 64;
    private static final ConcurrentLinkedQueue<byte[]> POOL = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger POOLED = new AtomicInteger();

    private BufferPool() {
    }

    static byte[] take() {
        byte[] buffer = POOL.poll();
        if (buffer == null) {
            return new byte[SIZE];
        }
        POOLED.decrementAndGet();
        return buffer;
    }

    static void give(byte[] buffer) {
        if (POOLED.incrementAndGet() <= MAX_POOLED) {
            POOL.offer(buffer);
        } else {
            POOLED.decrementAndGet();
        }
    }
}
