package dev.wsgateway.discovery;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import io.helidon.common.config.Config;

/**
 * A discovery backend's duration settings, read the one way the gateway reads durations: ISO-8601 ({@code PT5S}),
 * never negative; a plain number (the unsaid unit of earlier versions) stops the start with the new form.
 */
public final class SettingDurations {
    private SettingDurations() {
    }

    /**
     * Read a duration setting.
     *
     * @param node         the key's node
     * @param fullKey      the full key, for the error line (e.g. {@code discovery.eureka.connect-timeout})
     * @param defaultValue when the key is not set
     * @param wholeSeconds whether the backend counts in whole seconds (a fraction is refused)
     * @return the duration
     * @throws IllegalArgumentException one line naming the key, the value and what is expected
     */
    public static Duration read(Config node, String fullKey, Duration defaultValue, boolean wholeSeconds) {
        if (!node.exists()) {
            return defaultValue;
        }
        String value = node.asString().orElse("").trim();
        if (value.matches("\\d+")) {
            throw new IllegalArgumentException(fullKey + " = '" + value + "': expected an ISO-8601 duration such as "
                    + defaultValue + " (plain numbers of milliseconds or seconds are no longer read)");
        }
        Duration d;
        try {
            d = Duration.parse(value.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(fullKey + " = '" + value + "': expected an ISO-8601 duration such as "
                                                       + defaultValue);
        }
        if (d.isNegative() || wholeSeconds && d.toNanos() % 1_000_000_000L != 0) {
            throw new IllegalArgumentException(fullKey + " = '" + value + "': expected " + (wholeSeconds
                    ? "whole seconds (counted in seconds by this backend), such as " : "a positive duration such as ")
                    + defaultValue);
        }
        return d;
    }
}
