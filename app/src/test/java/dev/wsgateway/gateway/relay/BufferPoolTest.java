package dev.wsgateway.gateway.relay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;

/**
 * {@link BufferPool}: a given buffer is taken again, never by two takers at once, and a full pool drops the rest.
 */
class BufferPoolTest {
    @Test
    void aGivenBufferIsTakenAgain() {
        byte[] buffer = BufferPool.take();
        assertThat(buffer.length, is(BufferPool.SIZE));
        BufferPool.give(buffer);
        assertThat(BufferPool.take(), sameInstance(buffer));
    }

    @Test
    void aFullPoolDropsWhatIsGivenBeyondIt() {
        List<byte[]> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(BufferPool.take());
        }
        many.forEach(BufferPool::give);
        Set<byte[]> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < 100; i++) {
            taken.add(BufferPool.take());
        }
        assertThat("100 distinct buffers, at most 64 of them pooled", taken.size(), is(100));
    }

    @Test
    void noBufferIsHeldByTwoThreadsAtOnce() throws InterruptedException {
        Set<byte[]> held = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        AtomicInteger clashes = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 20_000; i++) {
                    byte[] buffer = BufferPool.take();
                    if (!held.add(buffer)) {
                        clashes.incrementAndGet();
                    }
                    held.remove(buffer);
                    BufferPool.give(buffer);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(clashes.get(), is(0));
    }
}
