package dev.wsgateway.gateway.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

import io.helidon.common.config.Config;

/**
 * Reads values and checks their type and range, so that a wrong one stops the start with a {@link SettingException}
 * naming the key, the value and what is expected.
 */
public final class Values {
    /** What a duration key takes. */
    public static final String DURATION = "an ISO-8601 duration such as PT5S or PT0.5S";

    private Values() {
    }

    /**
     * A duration that must not be negative.
     *
     * @param node         the key's node
     * @param defaultValue when the key is not set
     * @param zeroAllowed  whether {@code PT0S} is allowed (it usually means "off")
     * @return the duration
     */
    public static Duration duration(Config node, Duration defaultValue, boolean zeroAllowed) {
        return optionalDuration(node, zeroAllowed).orElse(defaultValue);
    }

    /**
     * A duration that may be missing.
     *
     * @param node        the key's node
     * @param zeroAllowed whether {@code PT0S} is allowed
     * @return the duration, empty when not set
     */
    public static Optional<Duration> optionalDuration(Config node, boolean zeroAllowed) {
        Optional<String> raw = text(node);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        String value = raw.get();
        Duration d;
        try {
            d = Duration.parse(value.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new SettingException(key(node), value, DURATION);
        }
        if (d.isNegative() || !zeroAllowed && d.isZero()) {
            throw new SettingException(key(node), value, "an ISO-8601 duration " + (zeroAllowed ? "of zero or more"
                    : "above zero") + ", such as PT5S or PT0.5S");
        }
        return Optional.of(d);
    }

    /**
     * A whole number within bounds.
     *
     * @param node         the key's node
     * @param defaultValue when the key is not set
     * @param min          smallest allowed
     * @param max          largest allowed
     * @param what         what it counts, e.g. "bytes"
     * @return the number
     */
    public static long number(Config node, long defaultValue, long min, long max, String what) {
        Optional<String> raw = text(node);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        long v;
        try {
            v = Long.parseLong(raw.get().trim().replace("_", ""));
        } catch (NumberFormatException e) {
            v = Long.MIN_VALUE;
        }
        if (v < min || v > max) {
            throw new SettingException(key(node), raw.get(), "a whole number of " + what + " "
                    + (max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "of at least " + min : "from " + min + " to " + max));
        }
        return v;
    }

    /**
     * A whole number within bounds, as an int.
     *
     * @param node         the key's node
     * @param defaultValue when the key is not set
     * @param min          smallest allowed
     * @param max          largest allowed
     * @param what         what it counts
     * @return the number
     */
    public static int integer(Config node, int defaultValue, int min, int max, String what) {
        return (int) number(node, defaultValue, min, max, what);
    }

    /**
     * A decimal number of at least {@code min}.
     *
     * @param node         the key's node
     * @param defaultValue when the key is not set
     * @param min          smallest allowed
     * @param what         what it counts
     * @return the number
     */
    public static double decimal(Config node, double defaultValue, double min, String what) {
        Optional<String> raw = text(node);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        double v;
        try {
            v = Double.parseDouble(raw.get().trim());
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!(v >= min) || Double.isInfinite(v)) {
            throw new SettingException(key(node), raw.get(), "a number of " + what + " of at least " + min);
        }
        return v;
    }

    /**
     * {@code true} or {@code false}; anything else stops the start (Helidon would read it as {@code false}).
     *
     * @param node         the key's node
     * @param defaultValue when the key is not set
     * @return the value
     */
    public static boolean bool(Config node, boolean defaultValue) {
        return optionalBool(node).orElse(defaultValue);
    }

    /**
     * {@code true} or {@code false}, or not set.
     *
     * @param node the key's node
     * @return the value, empty when not set
     */
    public static Optional<Boolean> optionalBool(Config node) {
        return text(node).map(raw -> switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new SettingException(key(node), raw, "true or false");
        });
    }

    /**
     * One of a few words (compared case-insensitively).
     *
     * @param node         the key's node
     * @param defaultValue when the key is not set
     * @param allowed      the words, lower case
     * @return the word, lower case
     */
    public static String choice(Config node, String defaultValue, String... allowed) {
        Optional<String> raw = text(node);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        String v = raw.get().trim().toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new SettingException(key(node), raw.get(), "one of " + String.join(", ", allowed));
    }

    /**
     * The key of a node as written in files.
     *
     * @param node node
     * @return full key
     */
    public static String key(Config node) {
        return node.key().toString();
    }

    private static Optional<String> text(Config node) {
        if (!node.exists()) {
            return Optional.empty();
        }
        if (!node.isLeaf()) {
            throw new SettingException(key(node), null, "a single value, not a list or a block");
        }
        return node.asString().asOptional();
    }
}
