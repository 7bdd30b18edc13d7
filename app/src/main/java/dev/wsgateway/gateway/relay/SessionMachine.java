package dev.wsgateway.gateway.relay;

import dev.wsgateway.gateway.relay.SessionState.Phase;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import io.helidon.websocket.WsCloseCodes;

/**
 * The one owner of a session's phase and of the decisions taken on its events, without sockets, clocks or locks:
 * {@link SessionState} calls it under the session's lock (or reads its volatile phase without), and the caller
 * carries out the answer (a close frame, a failover) after letting go of the lock. It is called on session events
 * (a pump ending, a close frame, a drain), never per frame.
 * <p>
 * Events in: a phase event ({@link Event}), a pump ending ({@link #clientEnded}, {@link #upstreamEnded}), an
 * upstream close frame ({@link #failoverOnClose}). Answers out: the next phase, or what the end of a pump means
 * ({@link End}). The facts it decides on that the wire owns (close frames sent and received, a message cut) are
 * passed in by the caller.
 */
final class SessionMachine {
    /**
     * What moves a session from one phase to another.
     */
    enum Event {
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

        Event(Phase target) {
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
        static Event entering(Phase phase) {
            return switch (phase) {
                case OPEN -> RESUMED;
                case MIGRATING -> MIGRATE;
                case FAILING_OVER -> UPSTREAM_LOST;
                case CLOSING -> CLOSE;
                case CLOSED -> BOTH_ENDED;
            };
        }
    }

    /**
     * What the end of a pump means for the session.
     */
    enum End {
        /** After a close handshake, or while the session ends anyway: close the connection, nothing to tell. */
        ORDERLY,
        /** The upstream went without a close the session must pass on: continue on another instance. */
        FAIL_OVER,
        /** The upstream went in the middle of a message to the client: the client is closed (1014), no failover. */
        CUT,
        /** The peer vanished and the session cannot continue: the other side gets the documented lost code. */
        LOST
    }

    /**
     * What a phase that lasted too long calls for (the watchdog's close timeout).
     */
    enum Overdue {
        /** Nothing: the phase is within its time, or has no deadline. */
        NONE,
        /** {@code CLOSING}/{@code CLOSED} past the close timeout: drop both connections (no more handshake). */
        DROP_CONNECTIONS,
        /** {@code MIGRATING} past the close timeout: drop the old instance, its pump then fails over. */
        DROP_OLD_UPSTREAM
    }

    /**
     * What a peer did that ends the session with a rule of {@link GatewayClose}.
     */
    enum Offence {
        /** A frame that breaks RFC 6455. */
        PROTOCOL_ERROR,
        /** A close frame whose reason is not valid UTF-8 (1007). */
        BAD_CLOSE_REASON,
        /** A message or frame over {@code max-message-size}. */
        TOO_BIG,
        /** A message in more frames than {@code max-message-fragments}. */
        TOO_MANY_FRAGMENTS
    }

    private static final Map<Phase, Set<Phase>> ALLOWED = Map.of(
            Phase.OPEN, EnumSet.of(Phase.MIGRATING, Phase.FAILING_OVER, Phase.CLOSING, Phase.CLOSED),
            Phase.MIGRATING, EnumSet.of(Phase.FAILING_OVER, Phase.CLOSING, Phase.CLOSED),
            Phase.FAILING_OVER, EnumSet.of(Phase.OPEN, Phase.CLOSING, Phase.CLOSED),
            Phase.CLOSING, EnumSet.of(Phase.CLOSED),
            Phase.CLOSED, EnumSet.noneOf(Phase.class));

    private final boolean failoverEnabled;
    private volatile Phase phase = Phase.OPEN;
    private volatile boolean clientLost;

    SessionMachine(boolean failoverEnabled) {
        this.failoverEnabled = failoverEnabled;
    }

    Phase phase() {
        return phase;
    }

    /**
     * Take a phase event.
     *
     * @param event the event
     * @return whether the phase changed (else the event does not apply in this phase and nothing changes)
     */
    boolean on(Event event) {
        if (!ALLOWED.get(phase).contains(event.target())) {
            return false;
        }
        phase = event.target();
        return true;
    }

    boolean ending() {
        Phase now = phase;
        return now == Phase.CLOSING || now == Phase.CLOSED;
    }

    /**
     * Whether the session may still move to another instance: failover is enabled for its route, it is not ending,
     * and no close frame went either way with the client (a close the client sent or got must be answered by the
     * service it was talking to).
     *
     * @param clientCloseSent     a close frame went to the client
     * @param clientCloseReceived the client sent a close frame
     * @return whether failover is possible
     */
    boolean failoverPossible(boolean clientCloseSent, boolean clientCloseReceived) {
        return failoverEnabled && !ending() && !clientCloseSent && !clientCloseReceived;
    }

    /**
     * Whether an upstream close frame moves the session instead of being passed on: 1001 (going away) and 1012
     * (service restart) when failover is possible; any close while migrating (the gateway asked for it).
     *
     * @param code                the close code the service sent
     * @param clientCloseSent     a close frame went to the client
     * @param clientCloseReceived the client sent a close frame
     * @return whether to fail over
     */
    boolean failoverOnClose(int code, boolean clientCloseSent, boolean clientCloseReceived) {
        return phase == Phase.MIGRATING
                || ((code == WsCloseCodes.GOING_AWAY || code == WsCloseCodes.SERVICE_RESTART)
                && failoverPossible(clientCloseSent, clientCloseReceived));
    }

    /**
     * The client pump ended (called once, by the client pump itself).
     *
     * @param closeReceived the client sent a close frame
     * @return {@link End#ORDERLY} after the client's close or while ending, else {@link End#LOST}
     */
    End clientEnded(boolean closeReceived) {
        if (closeReceived || ending()) {
            return End.ORDERLY;
        }
        clientLost = true;
        return End.LOST;
    }

    /**
     * Whether the client's connection ended without a close handshake ({@link #clientEnded} answered
     * {@link End#LOST}): the access log then shows 1006 sent to the client whatever close was attempted.
     *
     * @return whether the client was lost
     */
    boolean clientLost() {
        return clientLost;
    }

    /**
     * An upstream pump ended.
     *
     * @param closeReceived       the service sent a close frame
     * @param failoverRequested   that close asked for a failover ({@link #failoverOnClose})
     * @param cutMidMessage       a message to the client was open (part of it relayed)
     * @param clientCloseSent     a close frame went to the client
     * @param clientCloseReceived the client sent a close frame
     * @return what the end means
     */
    End upstreamEnded(boolean closeReceived, boolean failoverRequested, boolean cutMidMessage,
                      boolean clientCloseSent, boolean clientCloseReceived) {
        if ((closeReceived && !failoverRequested) || ending()) {
            return End.ORDERLY;
        }
        if (!failoverPossible(clientCloseSent, clientCloseReceived)) {
            return End.LOST;
        }
        return cutMidMessage ? End.CUT : End.FAIL_OVER;
    }

    /**
     * The rule a peer's offence ends the session with: the offender gets the offence's code, the other side the
     * documented one (1011 to the client for a faulty service, 1001 to the service for a faulty client). The same in
     * every phase: the close frames it sends are claimed like any other, so a leg that already got one keeps it.
     *
     * @param offence    what the peer did
     * @param fromClient whether the client did it (else the service)
     * @return the rule
     */
    GatewayClose offence(Offence offence, boolean fromClient) {
        return switch (offence) {
            case PROTOCOL_ERROR -> fromClient ? GatewayClose.CLIENT_PROTOCOL_ERROR
                    : GatewayClose.UPSTREAM_PROTOCOL_ERROR;
            case BAD_CLOSE_REASON -> fromClient ? GatewayClose.CLIENT_BAD_CLOSE_REASON
                    : GatewayClose.UPSTREAM_BAD_CLOSE_REASON;
            case TOO_BIG -> fromClient ? GatewayClose.CLIENT_TOO_BIG : GatewayClose.UPSTREAM_TOO_BIG;
            case TOO_MANY_FRAGMENTS -> fromClient ? GatewayClose.CLIENT_TOO_MANY_FRAGMENTS
                    : GatewayClose.UPSTREAM_TOO_MANY_FRAGMENTS;
        };
    }

    /**
     * The close timeout of the phase.
     *
     * @param inPhaseNanos      how long the session has been in its phase
     * @param closeTimeoutNanos the close timeout
     * @return what to do now that the phase has lasted that long
     */
    Overdue overdue(long inPhaseNanos, long closeTimeoutNanos) {
        if (inPhaseNanos <= closeTimeoutNanos) {
            return Overdue.NONE;
        }
        return switch (phase) {
            case CLOSING, CLOSED -> Overdue.DROP_CONNECTIONS;
            case MIGRATING -> Overdue.DROP_OLD_UPSTREAM;
            case OPEN, FAILING_OVER -> Overdue.NONE;
        };
    }

    /**
     * Whether the session has a current upstream the watchdog pings (dead-peer detection, acknowledging pings):
     * only while {@code OPEN} (migrating, the old instance is closing; failing over, there is none).
     *
     * @return whether the upstream is watched
     */
    boolean upstreamWatched() {
        return phase == Phase.OPEN;
    }

    @Override
    public String toString() {
        return phase.name();
    }
}
