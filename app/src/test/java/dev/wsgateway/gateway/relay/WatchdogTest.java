package dev.wsgateway.gateway.relay;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.wsgateway.gateway.config.FailoverSettings;
import dev.wsgateway.gateway.config.RelaySettings;
import dev.wsgateway.gateway.relay.SessionState.Phase;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * {@link Watchdog#check} on a session over in-memory sockets, with the clock passed in: what each timer does, and that
 * the check itself never waits (whatever may block runs on a virtual thread of its own).
 */
class WatchdogTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    private final RelaySettings settings = new RelaySettings(1 << 20, 1 << 20, 4096, SECOND, Duration.ofSeconds(5),
                                                             SECOND, SECOND, SECOND);
    private final FailoverSettings failover = new FailoverSettings(false, SECOND, 1 << 16, SECOND, false,
                                                                   Duration.ZERO, 0, FailoverSettings.Acknowledge.ANSWER,
                                                                   Map.of());
    private final SessionRegistry registry = new SessionRegistry(settings);
    private final Watchdog watchdog = new Watchdog(settings, List::of);
    private final MemorySocket clientSocket = new MemorySocket();
    private final MemorySocket upstreamSocket = new MemorySocket();
    private final Leg client = new Leg("client", clientSocket, new byte[0], false);
    private final Leg upstream = new Leg("upstream", upstreamSocket, new byte[0], true);
    private final RelaySession session = new RelaySession(
            SessionInfo.create("127.0.0.1:1", "/ws/v1/s", "s", "s:1", URI.create("ws://127.0.0.1:2/"), "", ""),
            settings, failover, false, FailoverSettings.Acknowledge.ANSWER, registry, null, null, "", client,
            upstream);

    @AfterEach
    void stop() {
        watchdog.close();
        registry.close();
    }

    private static long later(Duration d) {
        return System.nanoTime() + d.toNanos() + 1_000_000;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800);
        while (!condition.getAsBoolean()) {
            assertThat(what, System.nanoTime() < deadline, is(true));
            Thread.sleep(2);
        }
    }

    private static boolean wroteOpcode(MemorySocket socket, int opcode) {
        return socket.writes().stream().anyMatch(w -> w.length > 0 && (w[0] & 0x0F) == opcode);
    }

    @Test
    void aPeerSilentForThePingIntervalIsPingedOnce() throws Exception {
        watchdog.check(session, later(SECOND), 7);
        await("a ping to each peer", () -> wroteOpcode(clientSocket, WsFrames.OP_PING)
                && wroteOpcode(upstreamSocket, WsFrames.OP_PING));
        int writes = clientSocket.writes().size();
        watchdog.check(session, later(SECOND), 8);
        Thread.sleep(20);
        assertThat("one ping outstanding per leg", clientSocket.writes().size(), is(writes));
        assertThat(clientSocket.closed(), is(false));
    }

    @Test
    void aPeerSilentPastThePongTimeoutIsDroppedAndTheSessionToldWhy() throws Exception {
        watchdog.check(session, later(SECOND.plus(SECOND)), 7);
        await("both silent peers dropped", () -> clientSocket.closed() && upstreamSocket.closed());
        assertThat(client.isClosed(), is(true));
    }

    @Test
    void noDataForTheIdleTimeoutEndsTheSessionWith1001BothWays() throws Exception {
        watchdog.check(session, later(Duration.ofSeconds(5)), 7);
        await("a close to each peer", () -> wroteOpcode(clientSocket, WsFrames.OP_CLOSE)
                && wroteOpcode(upstreamSocket, WsFrames.OP_CLOSE));
        assertThat(session.state().ending(), is(true));
        assertThat(client.closeCodeSent(), is(1001));
        assertThat(upstream.closeCodeSent(), is(1001));
    }

    @Test
    void aCloseHandshakeOverTheCloseTimeoutDropsBothConnections() throws Exception {
        session.state().closing("test");
        watchdog.check(session, System.nanoTime() + 1_000_000, 7);
        Thread.sleep(20);
        assertThat("within the close timeout nothing is dropped", clientSocket.closed(), is(false));
        watchdog.check(session, later(SECOND), 7);
        await("both dropped", () -> clientSocket.closed() && upstreamSocket.closed());
        assertThat(client.isClosed() && upstream.isClosed(), is(true));
    }

    @Test
    void theCheckNeverWaitsForABlockedWriteOrABusySession() throws Exception {
        clientSocket.blockWrites();
        CompletableFuture<Void> holder = new CompletableFuture<>();
        CompletableFuture<Void> release = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            session.state().lock().lock();
            try {
                holder.complete(null);
                release.join();
            } finally {
                session.state().lock().unlock();
            }
        });
        holder.get(1, TimeUnit.SECONDS);
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            // pings (the write to the client blocks), then the dead-peer drop, then the idle close
            watchdog.check(session, later(Duration.ofSeconds(i)), 7 + i);
        }
        assertThat("five checks (ms)", (System.nanoTime() - start) / 1_000_000, lessThan(100L));
        release.complete(null);
        clientSocket.releaseWrites();
        assertThat(session.state().phase() == Phase.OPEN || session.state().ending(), is(true));
    }
}
