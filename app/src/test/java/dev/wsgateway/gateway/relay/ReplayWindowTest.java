package dev.wsgateway.gateway.relay;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;

class ReplayWindowTest {
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_000_000_000L;

    private final ReplayWindow window = new ReplayWindow(Duration.ofMillis(100), 64, true);
    private final ReplayWindow readOnly = new ReplayWindow(Duration.ofMillis(100), 64, false);

    private long writes;

    /** A write of {@code n} bytes whose first byte is {@code tag}, at {@code T0 + ms}; the leg's next write. */
    private void remember(int tag, int n, boolean startsFrame, boolean endsFrame, boolean openBefore,
                          boolean openAfter, long ms) {
        remember(window, tag, n, startsFrame, endsFrame, openBefore, openAfter, ms, 0);
    }

    private void remember(ReplayWindow into, int tag, int n, boolean startsFrame, boolean endsFrame,
                          boolean openBefore, boolean openAfter, long ms, long answersBefore) {
        byte[] bytes = new byte[n];
        bytes[0] = (byte) tag;
        into.remember(bytes, 0, n, true,
                      new Piece(null, startsFrame, endsFrame, openBefore, openAfter, T0 + ms * MS,
                                             ++writes),
                      answersBefore, 0);
    }

    private void frame(int tag, int n, long ms) {
        remember(tag, n, true, true, false, false, ms);
    }

    /** A whole message written to {@code into}, the upstream having sent {@code answersBefore} messages before it. */
    private void frame(ReplayWindow into, int tag, int n, long ms, long answersBefore) {
        remember(into, tag, n, true, true, false, false, ms, answersBefore);
    }

    private static List<Integer> tags(List<Piece> pieces) {
        return pieces.stream().map(p -> (int) p.bytes()[0]).toList();
    }

    @Test
    void everythingWrittenSinceTheLastAnswerIsResent() {
        frame(1, 4, 0);
        frame(2, 4, 10);
        frame(3, 4, 20);
        assertThat(tags(window.takeResend(0, 0)), contains(1, 2, 3));
        assertThat("taken: the window is empty", window.takeResend(0, 0), empty());
    }

    @Test
    void answeredMessagesAreForgottenOldestFirst() {
        frame(1, 4, 0);
        frame(2, 4, 10);
        frame(3, 4, 20);
        // two answers: the first two messages were read; the third (pipelined behind them) was not
        assertThat(tags(window.takeResend(0, 2)), contains(3));
    }

    @Test
    void answersReadWhileNothingWasOutstandingAnswerNothingLater() {
        window.forget(0, 3);
        window.remember(new byte[] {1, 0, 0, 0}, 0, 4, true, new Piece(null, true, true, false, false, T0, 1),
                        3, 0);
        assertThat(tags(window.takeResend(0, 3)), contains(1));
    }

    @Test
    void anAnswerCountedWhileTheWriteWasUnderWayAnswersIt() {
        // a fast upstream answered before the write was remembered: the count taken before the write is passed
        window.forget(0, 2);
        window.remember(new byte[] {1, 0, 0, 0}, 0, 4, true, new Piece(null, true, true, false, false, T0, 1),
                        2, 0);
        assertThat(window.takeResend(0, 3), empty());
    }

    @Test
    void aFragmentedMessageIsForgottenWholeByOneAnswer() {
        remember(1, 4, true, true, false, true, 0);
        remember(2, 4, true, true, true, false, 1);
        frame(3, 4, 2);
        assertThat(tags(window.takeResend(0, 1)), contains(3));
    }

    @Test
    void anUnansweredWriteIsForgottenOnceAPingWrittenAfterItWasAnswered() {
        // a service that only listens: its pong to a ping written after the first write proves it read that write
        frame(1, 4, 0);
        frame(2, 4, 50);
        window.forget(1, 0);
        assertThat(tags(window.takeResend(1, 0)), contains(2));
    }

    @Test
    void withoutProofOfReadingUnansweredWritesAreKeptHoweverOld() {
        // stopped or overloaded: no answer, no pong; time alone does not make a write read
        frame(1, 4, 0);
        frame(2, 4, 50);
        assertThat(window.waitedTooLong(T0 + 90 * MS), is(false));
        assertThat("the oldest waited longer than the window: ask with a ping", window.waitedTooLong(T0 + 101 * MS),
                   is(true));
        window.forget(0, 0);
        assertThat(tags(window.takeResend(0, 0)), contains(1, 2));
        assertThat(window.waitedTooLong(T0 + 10_000 * MS), is(false));
    }

    @Test
    void resendStartsAtACleanFrameBoundary() {
        // the tail of a frame, a fragment continuing a message, then a whole new message
        remember(1, 4, false, true, false, false, 0);
        remember(2, 4, true, true, true, true, 1);
        remember(3, 4, true, true, true, false, 2);
        remember(4, 4, true, false, false, false, 3);
        remember(5, 4, false, true, false, false, 4);
        remember(6, 4, true, true, true, false, 5);
        assertThat(tags(window.takeResend(0, 0)), contains(4, 5, 6));
    }

    @Test
    void theOldestGoFirstBeyondTheSizeBound() {
        frame(1, 30, 0);
        frame(2, 30, 1);
        frame(3, 30, 2);
        assertThat(tags(window.takeResend(0, 0)), contains(2, 3));
    }

    @Test
    void aWriteLargerThanTheBoundClearsTheWindow() {
        frame(1, 4, 0);
        frame(2, 65, 1);
        assertThat(window.takeResend(0, 0), empty());
    }

    @Test
    void stableWholeBuffersAreKeptByReferenceOthersCopied() {
        byte[] whole = {7, 7, 7};
        window.remember(whole, 0, 3, true, new Piece(null, true, true, false, false, T0, 1), 0, 0);
        byte[] reused = {8, 8, 8, 8};
        window.remember(reused, 1, 2, false, new Piece(null, true, true, false, false, T0 + MS, 2),
                        0, 0);
        reused[1] = 0;
        List<Piece> resend = window.takeResend(0, 0);
        assertThat(resend.get(0).bytes(), sameInstance(whole));
        assertThat(resend.get(1).length(), is(2));
        assertThat(java.util.Arrays.copyOf(resend.get(1).bytes(), 2), is(new byte[] {8, 8}));
    }

    @Test
    void forgetAndClear() {
        frame(1, 4, 0);
        frame(2, 4, 10);
        window.forget(0, 1);
        assertThat(tags(window.takeResend(0, 1)), contains(2));
        frame(3, 4, 30);
        window.clear();
        assertThat(window.takeResend(0, 0), empty());
    }

    @Test
    void aMessageTooLargeToKeepIsStillCountedSoAnswersMatchTheRightMessages() {
        frame(1, 4, 0);
        frame(2, 65, 1);
        frame(3, 4, 2);
        // the answers to 1 and 2 arrived; 3 is unanswered and must be sent again, not taken as answered
        assertThat(window.unsent(0, 2), is(false));
        assertThat(tags(window.takeResend(0, 2)), contains(3));
    }

    @Test
    void anUnansweredMessageThatCouldNotBeKeptMakesALossUnsent() {
        frame(1, 65, 0);
        frame(2, 4, 1);
        assertThat("1 may not have been read and cannot be sent again", window.unsent(0, 0), is(true));
        assertThat(window.unsent(0, 1), is(false));
    }

    @Test
    void aPongAfterAMessageThatCouldNotBeKeptProvesItRead() {
        frame(1, 65, 0);
        assertThat(window.unsent(1, 0), is(false));
    }

    @Test
    void pushedOutByNewerOnesCountsAsNotKeptAndAMessageWhoseStartWentGoesWhole() {
        // a fragmented message of three frames pushes its own start out: it is dropped whole, and counted once
        remember(1, 30, true, true, false, true, 0);
        remember(2, 30, true, true, true, true, 1);
        remember(3, 30, true, true, true, false, 2);
        frame(4, 4, 3);
        assertThat(window.unsent(0, 0), is(true));
        assertThat(window.unsent(0, 1), is(false));
        assertThat(tags(window.takeResend(0, 1)), contains(4));
    }

    @Test
    void aServiceSendingSeveralMessagesPerMessageMakesUnreadOnesLookAnsweredUnlessItAcknowledgesByReading() {
        // a stream: the answer to message 1 is three messages, read after message 2 was written
        for (ReplayWindow w : List.of(window, readOnly)) {
            frame(w, 1, 4, 0, 0);
            frame(w, 2, 4, 10, 0);
        }
        assertThat("matched as answers, the extra messages answer 2, which the service may not have read",
                   window.takeResend(0, 3), empty());
        assertThat(tags(readOnly.takeResend(0, 3)), contains(1, 2));
    }

    @Test
    void acknowledgedByReadingAMessageIsForgottenOnlyByAPongToAPingWrittenAfterIt() {
        frame(readOnly, 1, 4, 0, 0);
        frame(readOnly, 2, 4, 10, 0);
        frame(readOnly, 3, 4, 20, 0);
        readOnly.forget(0, 10);
        assertThat("answers forget nothing", readOnly.waitedTooLong(T0 + 101 * MS), is(true));
        // the pong to a ping written after the second write: the first two were read
        readOnly.forget(2, 10);
        assertThat(tags(readOnly.takeResend(2, 10)), contains(3));
    }

    @Test
    void acknowledgedByReadingAMessageTooLargeToKeepStaysUnsentUntilAPongProvesItRead() {
        frame(readOnly, 1, 65, 0, 0);
        frame(readOnly, 2, 4, 1, 0);
        assertThat("answers do not prove it read", readOnly.unsent(0, 5), is(true));
        assertThat(readOnly.unsent(1, 5), is(false));
        assertThat(tags(readOnly.takeResend(1, 5)), contains(2));
    }

    /**
     * As the client pump does it: remembered before the write with no write number, then told the number once written
     * (on the piece kept, or as the write of what was dropped).
     */
    private static void writeThrough(ReplayWindow into, int n, boolean endsMessage, long write) {
        Piece kept = into.remember(new byte[n], 0, n, true, true, true, !endsMessage && write > 1, !endsMessage,
                                   T0, Piece.PENDING, 0, 0);
        if (kept != null) {
            kept.written(write);
        } else {
            into.droppedWritten(write);
        }
    }

    @Test
    void aMessageWhoseLastPiecePushesItOutIsProvenReadByAPongWrittenAfterIt() {
        // two pieces of one message, 40 + 40 bytes in a 64-byte window: the second pushes the first out, and with it
        // itself (a message whose first pieces went is dropped whole)
        writeThrough(readOnly, 40, false, 1);
        writeThrough(readOnly, 40, true, 2);
        assertThat("nothing kept", readOnly.kept(), empty());
        assertThat("before a pong after it, a loss would lose it", readOnly.unsent(1, 0), is(true));
        assertThat("a pong to a ping written after it proves it read", readOnly.unsent(2, 0), is(false));
    }

    @Test
    void theUnsentReasonFitsACloseFrame() {
        assertThat(Loss.UNSENT.reason().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 123,
                   is(true));
    }

    /** A whole message copied from a reused read buffer (not stable), the way the client pump remembers it. */
    private Piece copied(ReplayWindow into, byte[] buffer, int tag, int n, long answersBefore) {
        buffer[0] = (byte) tag;
        return into.remember(buffer, 0, n, false, true, true, false, false, T0, ++writes, answersBefore, 0);
    }

    @Test
    void aForgottenCopyIsFilledAgainInsteadOfAllocated() {
        byte[] buffer = new byte[2048];
        Piece first = copied(window, buffer, 1, 10, 0);
        // answered: forgotten at the next remember, whose bytes go into the same piece
        Piece second = copied(window, buffer, 2, 12, 1);
        assertThat(second, sameInstance(first));
        assertThat(second.length(), is(12));
        assertThat(tags(window.kept()), contains(2));
        buffer[0] = 9;
        assertThat("a copy, not the reader's buffer", (int) second.bytes()[0], is(2));
    }

    @Test
    void piecesTakenForResendAreNeverFilledAgain() {
        byte[] buffer = new byte[2048];
        Piece taken = copied(window, buffer, 1, 10, 0);
        List<Piece> resend = window.takeResend(0, 0);
        assertThat(resend, contains(sameInstance(taken)));
        Piece next = copied(window, buffer, 2, 10, 0);
        assertThat("a new piece", next == taken, is(false));
        assertThat((int) resend.get(0).bytes()[0], is(1));
    }

    @Test
    void theWatchdogDropsTheSpares() {
        byte[] buffer = new byte[2048];
        copied(window, buffer, 1, 10, 0);
        window.forget(0, 1);
        assertThat(window.spares(), is(1));
        window.dropSpares();
        assertThat(window.spares(), is(0));
    }

    @Test
    void sparesTogetherStayWithinTheWindowsSize() {
        // the window keeps at most 64 bytes: three 20-byte copies (64-byte arrays) fit it, one spare only
        byte[] buffer = new byte[64];
        copied(window, buffer, 1, 20, 0);
        copied(window, buffer, 2, 20, 0);
        copied(window, buffer, 3, 20, 0);
        assertThat(tags(window.kept()), contains(1, 2, 3));
        window.forget(0, 3);
        assertThat(window.spares(), is(1));
    }
}
