package dev.wsgateway.gateway.relay;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import dev.wsgateway.gateway.relay.SessionState.Phase;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * The replay bookkeeping of {@link UpstreamSide} (with its {@link ReplayWindow} and {@link HeldFrames}) over random
 * interleavings of client sends, a model service that reads in order and answers what it read (one answer per
 * message), gateway pings and their pongs, the watchdog's forgetting, abrupt losses of the upstream and resumes on a
 * new one, over in-memory sockets. After every step every message the client sent is answered, acknowledged (a pong
 * to a ping written after it), kept (in the replay window or held), or the client is being closed with 1011; a loss
 * sends again exactly what the lost service had not answered or acknowledged, in order; no message reaches more than
 * {@code 1 + MAX_REPLAYS} upstreams; and the client is closed as a poison case only when an unanswered message had
 * already been sent again.
 */
class ReplayPropertyTest {
    private static final int RUNS = 200;
    private static final int STEPS = 200;

    @Test
    void everySentMessageIsAnsweredAcknowledgedKeptOrTheClientIsClosed() {
        int resumed = 0;
        int poisoned = 0;
        for (int seed = 0; seed < RUNS; seed++) {
            Run run = new Run(new Random(seed));
            run.play();
            resumed += run.resumes;
            poisoned += run.closedWith == Loss.POISON ? 1 : 0;
        }
        // the runs exercised what they claim to
        assertThat("resumes over all runs", resumed, greaterThan(RUNS / 2));
        assertThat("poison closes over all runs", poisoned, greaterThan(RUNS / 20));
    }

    private static final class Run implements UpstreamOwner {
        private final Random random;
        private final SessionState state = new SessionState(true);
        private final HeldFrames held = new HeldFrames(1 << 20, Duration.ofHours(1));
        private final ReplayWindow replay = new ReplayWindow(Duration.ofMillis(1), 1 << 20, true);
        private final Set<Integer> answered = new HashSet<>();
        private final Set<Integer> acknowledged = new HashSet<>();
        // how many lost upstreams each message was written to
        private final Map<Integer, Integer> lostLegs = new HashMap<>();
        private MemorySocket socket = new MemorySocket();
        private Leg leg = new Leg("upstream", socket, new byte[0], true);
        private final UpstreamSide side = new UpstreamSide(state, held, replay, this, leg);
        private int sent;
        // the model service on the current leg: messages read and answered, in wire order
        private int read;
        private int answers;
        private int pingAt = -1;
        private long token = 1;
        private int resumes;
        private Loss closedWith;
        private String trace = "";

        Run(Random random) {
            this.random = random;
        }

        void play() {
            for (int step = 0; step < STEPS && closedWith == null; step++) {
                int dice = random.nextInt(100);
                if (state.phase() == Phase.FAILING_OVER) {
                    if (dice < 40) {
                        send();
                    } else {
                        resume();
                    }
                } else if (dice < 30) {
                    send();
                } else if (dice < 50) {
                    serviceReads();
                } else if (dice < 68) {
                    serviceAnswers();
                } else if (dice < 76) {
                    ping();
                } else if (dice < 84) {
                    pong();
                } else if (dice < 92) {
                    side.forgetAnswered(System.nanoTime());
                    trace += " forget";
                } else {
                    lose();
                }
                check();
            }
        }

        private void send() {
            byte[] frame = TestFrames.text(false, "m" + sent);
            trace += " send" + sent;
            assertThat(trace, side.write(frame, 0, frame.length, true, true, false, true), is(true));
            sent++;
        }

        private void serviceReads() {
            if (read < wire().size()) {
                read++;
                trace += " read";
            }
        }

        private void serviceAnswers() {
            if (answers < read) {
                answered.add(wire().get(answers));
                answers++;
                leg.countMessage();
                trace += " answer";
            }
        }

        private void ping() {
            if (leg.claimPing(++token)) {
                leg.sendPing(token);
                pingAt = wire().size();
                trace += " ping@" + pingAt;
            }
        }

        private void pong() {
            if (pingAt >= 0 && read >= pingAt) {
                acknowledged.addAll(wire().subList(0, pingAt));
                leg.clearPing();
                pingAt = -1;
                trace += " pong";
            }
        }

        private void lose() {
            List<Integer> unread = new ArrayList<>();
            for (int id = 0; id < sent; id++) {
                if (!answered.contains(id) && !acknowledged.contains(id)) {
                    unread.add(id);
                }
            }
            // sent again: written to an upstream lost before this one
            boolean wasReplayed = unread.stream().anyMatch(id -> lostLegs.getOrDefault(id, 0) > 0);
            for (int id : wire()) {
                lostLegs.merge(id, 1, Integer::sum);
            }
            trace += " lose";
            Loss loss = side.beginFailover(true);
            if (loss.fatal()) {
                assertThat(trace + ": " + loss, loss, is(Loss.POISON));
                assertThat(trace + ": poison without a message sent again", wasReplayed, is(true));
                assertThat(loss.code(), is(1011));
                closedWith = loss;
                return;
            }
            assertThat(trace, loss, is(Loss.FAILING_OVER));
            assertThat(trace + ": a loss while a message sent again was unanswered must close", wasReplayed,
                       is(false));
            // what will go to the next instance: exactly the messages the lost one did not answer or acknowledge
            assertThat(trace + ": held after the loss", ids(held.held()), is(unread));
        }

        private void resume() {
            socket = new MemorySocket();
            Leg next = new Leg("upstream", socket, new byte[0], true);
            assertThat(trace, side.resume(next, () -> { }), is(true));
            leg = next;
            read = 0;
            answers = 0;
            pingAt = -1;
            resumes++;
            trace += " resume";
        }

        /**
         * The invariant: every message sent is answered, acknowledged or kept; none reached too many upstreams.
         */
        private void check() {
            if (closedWith != null) {
                // the client is being closed with 1011: that accounts for every message not answered
                return;
            }
            Set<Integer> kept = new HashSet<>(ids(replay.kept()));
            kept.addAll(ids(held.held()));
            for (int id = 0; id < sent; id++) {
                boolean ok = answered.contains(id) || acknowledged.contains(id) || kept.contains(id);
                assertThat(trace + ": message " + id + " neither answered, acknowledged nor kept", ok, is(true));
            }
            List<Integer> current = state.phase() == Phase.OPEN ? wire() : List.of();
            for (int id = 0; id < sent; id++) {
                int upstreams = lostLegs.getOrDefault(id, 0) + (current.contains(id) ? 1 : 0);
                assertThat(trace + ": upstreams of message " + id, upstreams,
                           lessThanOrEqualTo(1 + UpstreamSide.MAX_REPLAYS));
            }
        }

        /**
         * The messages written to the current leg, in order (data frames only; the gateway's pings are skipped).
         */
        private List<Integer> wire() {
            List<Integer> ids = new ArrayList<>();
            for (byte[] write : socket.writes()) {
                if ((write[0] & 0x0F) == WsFrames.OP_TEXT) {
                    ids.add(id(write));
                }
            }
            return ids;
        }

        private static List<Integer> ids(List<Piece> pieces) {
            List<Integer> ids = new ArrayList<>();
            for (Piece piece : pieces) {
                ids.add(id(piece.bytes()));
            }
            return ids;
        }

        private static int id(byte[] frame) {
            int length = frame[1] & 0x7F;
            return Integer.parseInt(new String(frame, 3, length - 1, StandardCharsets.US_ASCII));
        }

        @Override
        public boolean failoverPossible() {
            return true;
        }

        @Override
        public void failClientLater(Loss loss, String detail) {
            closedWith = loss;
        }

        @Override
        public void answerClientClose(int code) {
        }
    }
}
