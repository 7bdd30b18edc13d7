package dev.wsgateway.gateway.relay;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A leg's gateway pings and what their pongs prove: at most one ping is outstanding (its token), and the pong to it
 * proves that the peer read every write made before the ping (WebSocket peers read in order). Lock-free: the watchdog
 * claims a ping with a compare-and-set, the reading pump clears it.
 */
final class PingAccount {
    private final AtomicLong token = new AtomicLong();
    private volatile long floor;
    private volatile long readUpTo;

    /**
     * Take the one outstanding ping for this token, unless a ping is already outstanding. Done on the watchdog's
     * thread before the ping is sent from another: two ticks can then never both send, which would make the pong to
     * the older ping look unsolicited (and be forwarded to the other side).
     *
     * @param next the ping's token (never 0)
     * @return whether the caller must now send it
     */
    boolean claim(long next) {
        return token.compareAndSet(0, next);
    }

    /**
     * The claimed ping goes out after this many writes.
     *
     * @param writes the leg's write count before the ping
     */
    void sent(long writes) {
        floor = writes;
    }

    /**
     * Whether an (unmasked) pong payload answers the outstanding ping.
     *
     * @param payload pong payload
     * @return whether it is the gateway's own
     */
    boolean isOwnPong(byte[] payload) {
        long current = token.get();
        return current != 0 && Arrays.equals(payload, payload(current));
    }

    long token() {
        return token.get();
    }

    /**
     * The pong arrived: everything written before the ping was read; another ping may be claimed.
     */
    void answered() {
        readUpTo = floor;
        token.set(0);
    }

    /**
     * @return writes the peer is known to have read
     */
    long readUpTo() {
        return readUpTo;
    }

    /**
     * The payload of the gateway's ping with this token: {@code gw} and the token's 8 bytes.
     *
     * @param token token
     * @return payload
     */
    static byte[] payload(long token) {
        byte[] p = new byte[10];
        p[0] = 'g';
        p[1] = 'w';
        for (int i = 0; i < 8; i++) {
            p[2 + i] = (byte) (token >>> (56 - 8 * i));
        }
        return p;
    }
}
