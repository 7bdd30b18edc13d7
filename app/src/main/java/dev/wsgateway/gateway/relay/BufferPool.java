package dev.wsgateway.gateway.relay;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Large transfer buffers for frames whose payload does not fit the socket's own read buffer: taken while such a
 * payload streams through a pump and given back right after, so that idle sessions hold none. At most
 * {@link #MAX_POOLED} buffers are kept, in fixed slots: taking and giving allocate nothing and lock nothing (a
 * queue's node per give would be an allocation per borrowed read).
 */
final class BufferPool {
    static final int SIZE = 64 * 1024;
    private static final int MAX_POOLED = 64;
    private static final AtomicReferenceArray<byte[]> SLOTS = new AtomicReferenceArray<>(MAX_POOLED);

    private BufferPool() {
    }

    static byte[] take() {
        int start = start();
        for (int i = 0; i < MAX_POOLED; i++) {
            int slot = (start + i) & (MAX_POOLED - 1);
            if (SLOTS.getPlain(slot) != null) {
                byte[] buffer = SLOTS.getAndSet(slot, null);
                if (buffer != null) {
                    return buffer;
                }
            }
        }
        return new byte[SIZE];
    }

    static void give(byte[] buffer) {
        int start = start();
        for (int i = 0; i < MAX_POOLED; i++) {
            int slot = (start + i) & (MAX_POOLED - 1);
            if (SLOTS.getPlain(slot) == null && SLOTS.compareAndSet(slot, null, buffer)) {
                return;
            }
        }
        // full: left to the garbage collector
    }

    /**
     * Where a thread starts looking: threads spread over the slots, so they seldom meet on one.
     */
    private static int start() {
        long id = Thread.currentThread().threadId();
        return (int) (id ^ (id >>> 7)) & (MAX_POOLED - 1);
    }
}
