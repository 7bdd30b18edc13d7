package dev.wsgateway.gateway.relay;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.wsgateway.gateway.relay.TestFrames.concat;
import static dev.wsgateway.gateway.relay.TestFrames.text;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

class HeldFramesTest {
    private final HeldFrames held = new HeldFrames(100, Duration.ofMillis(500));
    private final MemorySocket socket = new MemorySocket();
    private final Leg next = new Leg("upstream", socket, new byte[0], true);

    @Test
    void wholeFramesAreHeldAndWrittenInOrder() {
        byte[] a = text(true, "a");
        byte[] b = text(true, "bb");
        assertThat(held.hold(a, 0, a.length, true, true, false), is(HeldFrames.Result.HELD));
        assertThat(held.hold(b, 0, b.length, true, true, false), is(HeldFrames.Result.HELD));
        assertThat(held.messageOpen(), is(false));
        assertThat(writeTo(held, next), is(true));
        assertThat(socket.written(), is(concat(a, b)));
        // cleared: a second write sends nothing
        assertThat(writeTo(held, next), is(true));
        assertThat(socket.writes().size(), is(2));
    }

    @Test
    void theHeldBytesAreACopy() {
        byte[] buffer = text(true, "copy");
        byte[] expected = buffer.clone();
        held.hold(buffer, 0, buffer.length, true, true, false);
        buffer[3] = 0;
        writeTo(held, next);
        assertThat(socket.written(), is(expected));
    }

    @Test
    void aFrameHeldInPiecesMayContinueButAFrameBegunOnTheLostUpstreamIsCut() {
        byte[] frame = text(true, "0123456789");
        assertThat(held.hold(frame, 0, 5, true, false, false), is(HeldFrames.Result.HELD));
        assertThat(held.messageOpen(), is(true));
        assertThat(held.hold(frame, 5, frame.length - 5, false, true, false), is(HeldFrames.Result.HELD));
        assertThat(held.messageOpen(), is(false));
        assertThat(writeTo(held, next), is(true));
        assertThat(socket.written(), is(frame));

        HeldFrames other = new HeldFrames(100, Duration.ofSeconds(1));
        assertThat(other.hold(frame, 5, 5, false, false, false), is(HeldFrames.Result.CUT));
    }

    @Test
    void moreThanTheBufferSizeOverflows() {
        byte[] bytes = new byte[60];
        assertThat(held.hold(bytes, 0, 60, true, true, false), is(HeldFrames.Result.HELD));
        assertThat(held.hold(bytes, 0, 40, true, true, false), is(HeldFrames.Result.HELD));
        assertThat(held.hold(bytes, 0, 1, true, true, false), is(HeldFrames.Result.OVERFLOW));
        assertThat(held.maxBytes(), is(100L));
    }

    @Test
    void heldBytesExpireAfterTheHoldTime() {
        assertThat(held.maxMillis(), is(500L));
        assertThat("nothing held never expires", held.expired(System.nanoTime() + Duration.ofHours(1).toNanos()),
                   is(false));
        byte[] a = text(true, "a");
        long before = System.nanoTime();
        held.hold(a, 0, a.length, true, true, false);
        long after = System.nanoTime();
        assertThat(held.expired(after), is(false));
        assertThat(held.expired(before + Duration.ofMillis(499).toNanos()), is(false));
        assertThat(held.expired(after + Duration.ofMillis(501).toNanos()), is(true));
        held.clear();
        assertThat(held.expired(after + Duration.ofMillis(501).toNanos()), is(false));
    }

    @Test
    void theOpenMessageFlagFollowsTheLastPiece() {
        byte[] first = TestFrames.frame(0x01, true, new byte[3]);
        held.hold(first, 0, first.length, true, true, true);
        assertThat(held.messageOpen(), is(true));
    }

    @Test
    void startingWithTheReplayedPiecesReplacesWhatWasHeld() {
        byte[] old = text(true, "old");
        held.hold(old, 0, old.length, true, true, false);
        byte[] r1 = text(true, "r1");
        byte[] r2 = TestFrames.frame(0x02, true, new byte[4]);
        held.startWith(List.of(new Piece(r1, true, true, false, false, 1, 1),
                               new Piece(r2, true, true, false, true, 2, 2)));
        assertThat(held.messageOpen(), is(true));
        writeTo(held, next);
        assertThat(socket.written(), is(concat(r1, r2)));
    }

    @Test
    void startingWithNothingClears() {
        byte[] old = text(true, "old");
        held.hold(old, 0, old.length, true, true, false);
        held.startWith(List.of());
        writeTo(held, next);
        assertThat(socket.writes(), empty());
    }

    /**
     * What the failover does: take what is held, write it in order, put back what did not go out.
     */
    private static boolean writeTo(HeldFrames held, Leg leg) {
        List<Piece> taken = held.take();
        for (int i = 0; i < taken.size(); i++) {
            Piece piece = taken.get(i);
            if (!leg.write(piece.bytes(), 0, piece.bytes().length, piece.startsFrame(), piece.endsFrame(),
                           piece.openAfter(), true)) {
                held.putBack(taken);
                return false;
            }
        }
        return true;
    }

    @Test
    void piecesKeepTheirFrameBoundariesAndReplayCount() {
        byte[] frame = text(true, "0123456789");
        held.hold(frame, 0, 4, true, false, false);
        held.hold(frame, 4, frame.length - 4, false, true, false);
        List<Piece> taken = held.take();
        assertThat(taken.size(), is(2));
        assertThat(taken.get(0).startsFrame() && !taken.get(0).endsFrame() && taken.get(0).openAfter(), is(true));
        assertThat(taken.get(1).endsFrame() && !taken.get(1).startsFrame() && taken.get(1).openBefore(), is(true));
        assertThat(taken.get(0).replays(), is(0));
        assertThat(taken.get(0).replayed().replays(), is(1));
        assertThat("taken: nothing held", held.isEmpty(), is(true));
        // a frame begun in what was taken may still continue after it
        held.hold(frame, 0, 4, true, false, false);
        held.take();
        assertThat(held.hold(frame, 4, frame.length - 4, false, true, false), is(HeldFrames.Result.HELD));
    }

    @Test
    void piecesPutBackKeepTheirAge() {
        byte[] a = text(true, "a");
        long before = System.nanoTime();
        held.hold(a, 0, a.length, true, true, false);
        List<Piece> taken = held.take();
        held.putBack(taken);
        assertThat("the hold time counts from the first hold", held.expired(before + Duration.ofMillis(501).toNanos()),
                   is(true));
    }

    @Test
    void aBrokenLegFailsTheWriteAndKeepsTheHeldBytes() {
        byte[] a = text(true, "a");
        held.hold(a, 0, a.length, true, true, false);
        socket.close();
        assertThat(writeTo(held, next), is(false));
        MemorySocket second = new MemorySocket();
        assertThat(writeTo(held, new Leg("upstream", second, new byte[0], true)), is(true));
        assertThat(second.written(), is(a));
    }
}
