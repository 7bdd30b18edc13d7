package dev.wsgateway.gateway.config;

/**
 * A configuration value the gateway cannot use: names the key, the value and what is expected, in one line.
 */
public final class SettingException extends IllegalArgumentException {
    private final String key;

    /**
     * @param key      full key
     * @param value    the value as configured ({@code null} when the problem is not one value)
     * @param expected what the key takes, e.g. "an ISO-8601 duration such as PT5S"
     */
    public SettingException(String key, String value, String expected) {
        super(key + (value == null ? "" : " = '" + value + "'") + ": expected " + expected);
        this.key = key;
    }

    /**
     * @param key     full key
     * @param message the whole message (starting with the key)
     * @param cause   cause, may be {@code null}
     */
    public SettingException(String key, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /**
     * The key whose value is wrong.
     *
     * @return full key
     */
    public String key() {
        return key;
    }
}
