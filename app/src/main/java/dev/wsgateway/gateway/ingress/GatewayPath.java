package dev.wsgateway.gateway.ingress;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Optional;

import dev.wsgateway.gateway.http.Refusal;

/**
 * A request path in one of the gateway's forms, {@code /ws/{vN}/{serviceId}/{path}} or
 * {@code /{serviceId}/ws/{vN}/{path}}, with the remaining path normalised.
 *
 * @param serviceId  service id as requested (lower case)
 * @param gatewayUrl route prefix, e.g. {@code ws/v1}
 * @param remainder  normalised remaining path, still percent-encoded, no leading {@code /} (may be empty)
 */
record GatewayPath(String serviceId, String gatewayUrl, String remainder) {

    /**
     * Parse a raw (percent-encoded) request path.
     *
     * @param rawPath raw path
     * @return the gateway path, or empty when the path is not in a gateway form
     * @throws Refusal 400 when the remaining path would leave the service's route ({@code ..}, encoded
     *                          separators) or is not valid
     */
    static Optional<GatewayPath> parse(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            return Optional.empty();
        }
        String[] segments = rawPath.substring(1).split("/", -1);
        if (segments.length >= 3 && segments[0].equals("ws") && isVersion(segments[1])
                && isServiceId(segments[2])) {
            return Optional.of(new GatewayPath(segments[2].toLowerCase(Locale.ROOT),
                                               "ws/" + segments[1].toLowerCase(Locale.ROOT),
                                               normalise(segments, 3, rawPath.endsWith("/"))));
        }
        if (segments.length >= 3 && segments[1].equals("ws") && isVersion(segments[2])
                && isServiceId(segments[0])) {
            return Optional.of(new GatewayPath(segments[0].toLowerCase(Locale.ROOT),
                                               "ws/" + segments[2].toLowerCase(Locale.ROOT),
                                               normalise(segments, 3, rawPath.endsWith("/"))));
        }
        return Optional.empty();
    }

    /**
     * {@code [vV][0-9]{1,4}}.
     */
    private static boolean isVersion(String segment) {
        int n = segment.length();
        if (n < 2 || n > 5 || (segment.charAt(0) != 'v' && segment.charAt(0) != 'V')) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            if (!isDigit(segment.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code [A-Za-z0-9][A-Za-z0-9._~-]{0,127}}.
     */
    private static boolean isServiceId(String segment) {
        int n = segment.length();
        if (n < 1 || n > 128 || !isAlphanumeric(segment.charAt(0))) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = segment.charAt(i);
            if (!isAlphanumeric(c) && c != '.' && c != '_' && c != '~' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAlphanumeric(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static String normalise(String[] segments, int from, boolean trailingSlash) {
        Deque<String> kept = new ArrayDeque<>();
        for (int i = from; i < segments.length; i++) {
            String raw = segments[i];
            String decoded = decode(raw);
            if (decoded.isEmpty() || decoded.equals(".")) {
                continue;
            }
            if (decoded.equals("..")) {
                if (kept.isEmpty()) {
                    throw new Refusal(400, "bad_path", "Path leaves the service route");
                }
                kept.removeLast();
                continue;
            }
            if (decoded.indexOf('/') >= 0 || decoded.indexOf('\\') >= 0 || decoded.indexOf('\0') >= 0) {
                throw new Refusal(400, "bad_path", "Path contains an encoded separator");
            }
            kept.addLast(raw);
        }
        String joined = String.join("/", kept);
        return trailingSlash && !joined.isEmpty() ? joined + "/" : joined;
    }

    private static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        byte[] out = new byte[segment.length()];
        int n = 0;
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) {
                    throw new Refusal(400, "bad_path", "Invalid percent-encoding in path");
                }
                int hi = Character.digit(segment.charAt(i + 1), 16);
                int lo = Character.digit(segment.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new Refusal(400, "bad_path", "Invalid percent-encoding in path");
                }
                out[n++] = (byte) ((hi << 4) | lo);
                i += 2;
            } else {
                out[n++] = (byte) c;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }
}
