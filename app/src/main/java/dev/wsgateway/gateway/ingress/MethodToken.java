package dev.wsgateway.gateway.ingress;

/**
 * Checks the method at the start of a request head as its bytes arrive: it must be an RFC 9110 token (§5.6.2).
 * Helidon 4.2.0 answers a method with other characters (random bytes sent to the port, for one) with a 500 and a
 * logged stack trace instead of a 400. Empty lines before the request line are skipped (RFC 9112 §2.2); the check
 * ends at the first space or line end, after which Helidon's own parser takes over.
 */
final class MethodToken {
    private boolean started;
    private boolean done;

    /**
     * A new request head begins.
     */
    void reset() {
        started = false;
        done = false;
    }

    /**
     * Look at the next bytes of the head.
     *
     * @param bytes  bytes read
     * @param length how many of them
     * @return {@code false} when the method contains a character no token may
     */
    boolean accept(byte[] bytes, int length) {
        for (int i = 0; i < length && !done; i++) {
            byte b = bytes[i];
            if (b == '\r' || b == '\n') {
                done = started;
            } else if (b == ' ') {
                done = true;
            } else if (isTokenChar(b)) {
                started = true;
            } else {
                done = true;
                return false;
            }
        }
        return true;
    }

    private static boolean isTokenChar(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
    }
}
