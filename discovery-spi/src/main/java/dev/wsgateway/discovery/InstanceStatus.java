package dev.wsgateway.discovery;

/**
 * Status of a service instance as its discovery backend reports it. Only {@link #UP} instances receive new sessions.
 */
public enum InstanceStatus {
    UP,
    DOWN,
    OUT_OF_SERVICE,
    STARTING,
    UNKNOWN;

    /**
     * Parse a status name as the backends spell it ({@code UP}, {@code out_of_service}, {@code OUT-OF-SERVICE}).
     *
     * @param name status name, may be {@code null}
     * @return the status, {@link #UNKNOWN} for anything unrecognised
     */
    public static InstanceStatus parse(String name) {
        if (name == null || name.isBlank()) {
            return UNKNOWN;
        }
        try {
            return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }
}
