package dev.wsgateway.gateway.relay;

import dev.wsgateway.gateway.relay.SessionState.Phase;

/**
 * What moves a session from one phase to another.
 */
enum PhaseEvent {
    /** The session failed over to a new instance, or its migration ended on one. */
    RESUMED(Phase.OPEN),
    /** The instance is draining: the session is asked to move off it. */
    MIGRATE(Phase.MIGRATING),
    /** The upstream is gone and another instance is dialled. */
    UPSTREAM_LOST(Phase.FAILING_OVER),
    /** A close handshake, a protocol error, a failed failover or a shutdown ends the session. */
    CLOSE(Phase.CLOSING),
    /** Both pumps have ended. */
    BOTH_ENDED(Phase.CLOSED);

    private final Phase target;

    PhaseEvent(Phase target) {
        this.target = target;
    }

    Phase target() {
        return target;
    }

    /**
     * The event that enters a phase.
     *
     * @param phase the phase
     * @return its event
     */
    static PhaseEvent entering(Phase phase) {
        return switch (phase) {
            case OPEN -> RESUMED;
            case MIGRATING -> MIGRATE;
            case FAILING_OVER -> UPSTREAM_LOST;
            case CLOSING -> CLOSE;
            case CLOSED -> BOTH_ENDED;
        };
    }
}
