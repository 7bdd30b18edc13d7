package dev.wsgateway.gateway.relay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.wsgateway.gateway.relay.SessionState.Phase;

import org.junit.jupiter.api.Test;

import static dev.wsgateway.gateway.relay.TestFrames.concat;
import static dev.wsgateway.gateway.relay.TestFrames.text;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * {@link UpstreamSide} over in-memory sockets: no session lock is held while a write blocks, a loss noticed during a
 * write finds the message being written, and a resume writes what was held outside the lock.
 */
class UpstreamSideTest {
    private final SessionState state = new SessionState(true);
    private final HeldFrames held = new HeldFrames(1 << 16, Duration.ofSeconds(10));
    private final ReplayWindow replay = new ReplayWindow(Duration.ofSeconds(1), 1 << 16, true);
    private final MemorySocket socket = new MemorySocket();
    private final Leg leg = new Leg("upstream", socket, new byte[0], true);
    private final List<Loss> fatal = new ArrayList<>();
    private final UpstreamSide side = new UpstreamSide(state, held, replay, new UpstreamOwner() {
        @Override
        public boolean failoverPossible() {
            return true;
        }

        @Override
        public void failClientLater(Loss loss, String detail) {
            fatal.add(loss);
        }

        @Override
        public void answerClientClose(int code) {
        }
    }, leg);

    private CompletableFuture<Boolean> writeLater(byte[] frame) {
        return CompletableFuture.supplyAsync(() -> side.write(frame, 0, frame.length, true, true, false, true),
                                             command -> Thread.ofVirtual().start(command));
    }

    private static void awaitBlocked(MemorySocket socket) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (!socket.writeBlocked()) {
            assertThat("the write blocked", System.nanoTime() < deadline, is(true));
            Thread.sleep(1);
        }
    }

    @Test
    void aBlockedWriteHoldsNoSessionLockAndTheWatchdogDoesNotWait() throws Exception {
        socket.blockWrites();
        byte[] m = text(false, "m");
        CompletableFuture<Boolean> write = writeLater(m);
        awaitBlocked(socket);
        assertThat("the session lock is free while the write blocks", state.lock().tryLock(), is(true));
        state.lock().unlock();
        long start = System.nanoTime();
        side.forgetAnswered(System.nanoTime());
        assertThat("forgetAnswered returns at once (ms)", (System.nanoTime() - start) / 1_000_000, lessThan(100L));
        socket.releaseWrites();
        assertThat(write.get(2, TimeUnit.SECONDS), is(true));
        assertThat(socket.written(), is(m));
    }

    @Test
    void theWatchdogSkipsASessionWhoseLockIsBusy() throws Exception {
        byte[] m = text(false, "m");
        side.write(m, 0, m.length, true, true, false, true);
        CompletableFuture<Void> holder = new CompletableFuture<>();
        CompletableFuture<Void> release = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            state.lock().lock();
            try {
                holder.complete(null);
                release.join();
            } finally {
                state.lock().unlock();
            }
        });
        holder.get(2, TimeUnit.SECONDS);
        long start = System.nanoTime();
        // a message older than the window would ask for a ping; with the lock busy the tick is skipped
        assertThat(side.forgetAnswered(System.nanoTime() + Duration.ofSeconds(5).toNanos()), is(false));
        assertThat("returns at once (ms)", (System.nanoTime() - start) / 1_000_000, lessThan(100L));
        release.complete(null);
    }

    @Test
    void aLossNoticedDuringAWriteFindsTheMessageBeingWritten() throws Exception {
        byte[] first = text(false, "first");
        side.write(first, 0, first.length, true, true, false, true);
        socket.blockWrites();
        byte[] second = text(false, "second");
        CompletableFuture<Boolean> write = writeLater(second);
        awaitBlocked(socket);
        // the upstream pump notices the loss while the client pump's write is under way
        assertThat(side.beginFailover(true), is(Loss.FAILING_OVER));
        socket.close();
        assertThat("the write failed, the session fails over", write.get(2, TimeUnit.SECONDS), is(true));
        List<Piece> resend = held.held();
        assertThat(resend.size(), is(2));
        assertThat(concat(resend.get(0).bytes(), resend.get(1).bytes()), is(concat(first, second)));
        assertThat(resend.get(1).replays(), is(1));
        assertThat(fatal.isEmpty(), is(true));
    }

    @Test
    void aResumeWritesWhatWasHeldOutsideTheLockAndHoldsWhatArrivesMeanwhile() throws Exception {
        byte[] a = text(false, "a");
        side.write(a, 0, a.length, true, true, false, true);
        side.beginFailover(true);
        byte[] b = text(false, "b");
        assertThat("held while failing over", side.write(b, 0, b.length, true, true, false, true), is(true));
        MemorySocket nextSocket = new MemorySocket().blockWrites();
        Leg next = new Leg("upstream", nextSocket, new byte[0], true);
        CompletableFuture<Boolean> resumed = CompletableFuture.supplyAsync(() -> side.resume(next, () -> { }),
                                                                           c -> Thread.ofVirtual().start(c));
        awaitBlocked(nextSocket);
        assertThat("the session lock is free while the resume writes", state.lock().tryLock(), is(true));
        state.lock().unlock();
        byte[] c = text(false, "c");
        assertThat("held behind what is being written", side.write(c, 0, c.length, true, true, false, true), is(true));
        nextSocket.releaseWrites();
        assertThat(resumed.get(2, TimeUnit.SECONDS), is(true));
        assertThat(state.phase(), is(Phase.OPEN));
        assertThat(side.leg() == next, is(true));
        assertThat(nextSocket.written(), is(concat(a, b, c)));
        // what the new instance got is kept for replay: a second loss sends it again, the replayed one now poison
        assertThat(replay.kept().size(), is(3));
        assertThat(side.beginFailover(true), is(Loss.POISON));
    }

    @Test
    void aFailedResumePutsEverythingBackForTheNextCandidate() {
        byte[] a = text(false, "a");
        side.write(a, 0, a.length, true, true, false, true);
        side.beginFailover(true);
        MemorySocket broken = new MemorySocket();
        broken.close();
        assertThat(side.resume(new Leg("upstream", broken, new byte[0], true), () -> { }), is(false));
        assertThat(state.phase(), is(Phase.FAILING_OVER));
        MemorySocket good = new MemorySocket();
        assertThat(side.resume(new Leg("upstream", good, new byte[0], true), () -> { }), is(true));
        assertThat(good.written(), is(a));
    }
}
