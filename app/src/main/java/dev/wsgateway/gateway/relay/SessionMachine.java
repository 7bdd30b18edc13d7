package dev.wsgateway.gateway.relay;

import dev.wsgateway.gateway.relay.SessionState.Phase;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.helidon.websocket.WsCloseCodes;

/**
 * The one owner of a session's state: its phase, the close flags of its two connections ({@link CloseFlags}: close
 * sent and received with their codes, connection closed; the upstream's are fresh for each instance the session
 * resumes on), and the decisions taken on its events. Events in, actions out: an event ({@link #closeReceived},
 * {@link #terminate}, {@link #offence}, {@link #failoverFailed}, {@link #clientEnded}, {@link #upstreamEnded},
 * {@link #drain}, {@link #deadlineExpired}, a phase {@link PhaseEvent}) moves the phase and claims close frames, and
 * answers the list of {@link SessionAction actions} the caller carries out: send a claimed close, close or drop a
 * connection, drop the held frames, fail over. It has no sockets, clocks or locks.
 * <p>
 * <b>Thread-safety.</b> Every event that changes the machine is called under the session's lock
 * ({@link SessionState#decide}, {@link SessionState#to}), which the caller lets go of before carrying out the
 * actions (decide under the lock, do the I/O after). The phase is volatile and the close flags atomic, so the
 * read-only questions ({@link #phase}, {@link #failoverPossible}, {@link #failoverOnClose}, {@link #deadlineExpired},
 * {@link #upstreamWatched}) are asked without the lock (by the pumps, and by the watchdog, which never waits for a
 * session). The close frame of a connection is claimed by one compare-and-set on its flags, whether by the machine
 * (under the lock) or by a pump forwarding a peer's close (without it): exactly one thread sends a close on a
 * connection. It is called on session events, never per frame.
 */
final class SessionMachine {
    /**
     * The two connections of a session.
     */
    enum Side {
        /** The client's connection. */
        CLIENT,
        /** The connection to the current (or last) instance of the service. */
        UPSTREAM
    }

    /**
     * The timers whose expiry the watchdog reports.
     */
    enum Deadline {
        /** The phase lasted longer than the close timeout. */
        CLOSE_TIMEOUT,
        /** The client did not answer pings within the pong timeout. */
        CLIENT_SILENT,
        /** The upstream did not answer pings within the pong timeout. */
        UPSTREAM_SILENT
    }

    private static final Map<Phase, Set<Phase>> ALLOWED = Map.of(
            Phase.OPEN, EnumSet.of(Phase.MIGRATING, Phase.FAILING_OVER, Phase.CLOSING, Phase.CLOSED),
            Phase.MIGRATING, EnumSet.of(Phase.FAILING_OVER, Phase.CLOSING, Phase.CLOSED),
            Phase.FAILING_OVER, EnumSet.of(Phase.OPEN, Phase.CLOSING, Phase.CLOSED),
            Phase.CLOSING, EnumSet.of(Phase.CLOSED),
            Phase.CLOSED, EnumSet.noneOf(Phase.class));

    private final boolean failoverEnabled;
    private final CloseFlags client = new CloseFlags();
    private volatile CloseFlags upstream = new CloseFlags();
    private volatile Phase phase = Phase.OPEN;
    private volatile boolean clientLost;

    SessionMachine(boolean failoverEnabled) {
        this.failoverEnabled = failoverEnabled;
    }

    Phase phase() {
        return phase;
    }

    /**
     * The close flags of a connection: the client's, or the current upstream instance's.
     *
     * @param side the connection
     * @return its flags
     */
    CloseFlags flags(Side side) {
        return side == Side.CLIENT ? client : upstream;
    }

    /**
     * Take a phase event. {@link PhaseEvent#RESUMED} gives the upstream fresh close flags (the new instance's).
     *
     * @param event the event
     * @return whether the phase changed (else the event does not apply in this phase and nothing changes)
     */
    boolean on(PhaseEvent event) {
        if (!ALLOWED.get(phase).contains(event.target())) {
            return false;
        }
        if (event == PhaseEvent.RESUMED) {
            upstream = new CloseFlags();
        }
        phase = event.target();
        return true;
    }

    /**
     * What the loss of the upstream means for the messages the session holds (see {@link #upstreamLost()}).
     */
    enum Lost {
        /** It was open: it fails over, and what the lost instance may not have received is to be resent. */
        RESEND,
        /** It was migrating or already failing over: it fails over with what it holds. */
        KEEP_HELD,
        /** It is ending: there is nothing to continue. */
        ENDED
    }

    /**
     * The upstream was lost while the session may continue on another instance: it enters {@code FAILING_OVER}.
     *
     * @return what that means for the messages the session holds
     */
    Lost upstreamLost() {
        Phase before = phase;
        if (before == Phase.FAILING_OVER) {
            return Lost.KEEP_HELD;
        }
        if (!on(PhaseEvent.UPSTREAM_LOST)) {
            return Lost.ENDED;
        }
        return before == Phase.OPEN ? Lost.RESEND : Lost.KEEP_HELD;
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
     * @return whether failover is possible
     */
    boolean failoverPossible() {
        return failoverEnabled && !ending() && !client.sent() && !client.received();
    }

    /**
     * Whether an upstream close frame moves the session instead of being passed on: 1001 (going away) and 1012
     * (service restart) when failover is possible; any close while migrating (the gateway asked for it).
     *
     * @param code the close code the service sent
     * @return whether to fail over
     */
    boolean failoverOnClose(int code) {
        return phase == Phase.MIGRATING
                || ((code == WsCloseCodes.GOING_AWAY || code == WsCloseCodes.SERVICE_RESTART) && failoverPossible());
    }

    /**
     * Whether the client's connection ended without a close handshake ({@link #clientEnded} found no close from
     * it): the access log then shows 1006 sent to the client whatever close was attempted.
     *
     * @return whether the client was lost
     */
    boolean clientLost() {
        return clientLost;
    }

    /**
     * A peer's valid close frame arrived (one the session passes on: an upstream close that fails over is not one).
     *
     * @param side who sent it
     * @param code its code ({@code 1005} when it had none)
     * @return {@link SessionAction#DROP_HELD} when the session began closing
     */
    List<SessionAction> closeReceived(Side side, int code) {
        flags(side).received(code);
        List<SessionAction> out = new ArrayList<>(1);
        enterClosing(out);
        return out;
    }

    /**
     * Claim the sending of a close frame on a connection (atomic: callable without the lock).
     *
     * @param side the connection
     * @param code the close code
     * @return whether the caller owns the close and must send it (no close was claimed on it before)
     */
    boolean closeClaimed(Side side, int code) {
        return code != 0 && flags(side).claim(code);
    }

    /**
     * The gateway ends the session by a rule (shutdown, an operator, the idle timer, a peer's offence): it begins
     * closing, and each connection that has no close yet gets the rule's. Both are claimed here, before either is
     * sent: a peer's reply to the first must not be forwarded to the other before the gateway's close reaches it.
     *
     * @param rule       the rule
     * @param clientCode the client's code (the rule's, or an operator's)
     * @return the closes to send
     */
    List<SessionAction> terminate(GatewayClose rule, int clientCode) {
        List<SessionAction> out = new ArrayList<>(3);
        enterClosing(out);
        claim(out, Side.CLIENT, clientCode, rule);
        claim(out, Side.UPSTREAM, rule.serviceCode(), rule);
        return out;
    }

    /**
     * A peer broke the protocol or a limit: {@link #terminate} by the offence's rule; a peer that breaks the framing
     * gets no close handshake, its connection is closed too.
     *
     * @param offence    what the peer did
     * @param fromClient whether the client did it (else the service)
     * @return the actions
     */
    List<SessionAction> offence(Offence offence, boolean fromClient) {
        GatewayClose rule = offence.rule(fromClient);
        List<SessionAction> out = terminate(rule, rule.clientCode());
        if (offence == Offence.PROTOCOL_ERROR || offence == Offence.BAD_CLOSE_REASON) {
            out.add(closeAction(fromClient ? Side.CLIENT : Side.UPSTREAM));
        }
        return out;
    }

    /**
     * The session cannot continue on another instance (no instance found, a message cut, replay impossible, too
     * much held): the client gets the rule's close, the upstream connection is closed, and the client's too when it
     * had sent its close (nothing more to wait for).
     *
     * @param rule the rule
     * @return the actions
     */
    List<SessionAction> failoverFailed(GatewayClose rule) {
        List<SessionAction> out = terminate(rule, rule.clientCode());
        out.add(closeAction(Side.UPSTREAM));
        if (client.received()) {
            out.add(closeAction(Side.CLIENT));
        }
        return out;
    }

    /**
     * The client pump ended (once, on its own thread). Without a close from the client (and the session not already
     * ending) the client is lost: the service gets the documented code. The client's connection is closed, and the
     * upstream's once the service has sent its close (else the service answers the close it got, or the close timeout
     * drops it).
     *
     * @return the actions
     */
    List<SessionAction> clientEnded() {
        List<SessionAction> out = new ArrayList<>(4);
        if (!client.received() && !ending()) {
            clientLost = true;
            enterClosing(out);
            claim(out, Side.UPSTREAM, GatewayClose.CLIENT_LOST.serviceCode(), GatewayClose.CLIENT_LOST);
        }
        enterClosing(out);
        out.add(closeAction(Side.CLIENT));
        if (upstream.received()) {
            out.add(closeAction(Side.UPSTREAM));
        }
        return out;
    }

    /**
     * An upstream pump ended. After the service's close (one that did not ask for a failover) or while ending: its
     * connection is closed, and a close the client sent is answered in the service's place if it went before
     * answering it. Else, when failover is possible, the session fails over ({@link SessionAction#FAIL_OVER}), or
     * the client is closed (1011) when a message to it was cut; when failover is not possible the client gets the
     * documented lost code.
     *
     * @param failoverRequested the service's close asked for a failover ({@link #failoverOnClose})
     * @param cutMidMessage     a message to the client was open (part of it relayed)
     * @return the actions
     */
    List<SessionAction> upstreamEnded(boolean failoverRequested, boolean cutMidMessage) {
        List<SessionAction> out = new ArrayList<>(4);
        if ((upstream.received() && !failoverRequested) || ending()) {
            orderly(out);
        } else if (!failoverPossible()) {
            enterClosing(out);
            claim(out, Side.CLIENT, GatewayClose.UPSTREAM_LOST.clientCode(), GatewayClose.UPSTREAM_LOST);
            orderly(out);
        } else if (cutMidMessage) {
            return failoverFailed(GatewayClose.MESSAGE_CUT);
        } else {
            out.add(SessionAction.FAIL_OVER);
        }
        return out;
    }

    private void orderly(List<SessionAction> out) {
        out.add(closeAction(Side.UPSTREAM));
        if (client.received()) {
            // the service went before answering the client's close: answer it in its place
            int code = client.codeReceived();
            claim(out, Side.CLIENT, code == WsCloseCodes.NO_STATUS_CODE ? WsCloseCodes.NORMAL_CLOSE : code, null);
            out.add(closeAction(Side.CLIENT));
        }
    }

    /**
     * The instance is draining: move the session off it, unless failover is not possible, the session is not
     * {@code OPEN}, or a fragmented message is open toward the instance. The instance is asked to close (1001); its
     * pump then fails over.
     *
     * @param messageOpen a fragmented message is open toward the upstream
     * @return the close to send, empty when the session does not migrate (or the upstream's close went already)
     */
    List<SessionAction> drain(boolean messageOpen) {
        if (phase != Phase.OPEN || messageOpen || !failoverPossible() || !on(PhaseEvent.MIGRATE)) {
            return List.of();
        }
        List<SessionAction> out = new ArrayList<>(1);
        claim(out, Side.UPSTREAM, GatewayClose.MIGRATE.serviceCode(), GatewayClose.MIGRATE);
        return out;
    }

    /**
     * A timer expired (read-only: the watchdog asks it without the lock). The close timeout drops both connections
     * of an ending session (no more handshake) and closes the old instance of a migrating one (its pump then fails
     * over); a peer silent past the pong timeout is dropped (its pump then ends or fails over the session), the
     * upstream only while it is watched ({@link #upstreamWatched}). A connection already closed is left alone.
     *
     * @param deadline the timer
     * @return the actions
     */
    List<SessionAction> deadlineExpired(Deadline deadline) {
        Phase now = phase;
        return switch (deadline) {
            case CLOSE_TIMEOUT -> switch (now) {
                case CLOSING, CLOSED -> client.closed() && upstream.closed() ? List.of()
                        : List.of(dropAction(Side.CLIENT), dropAction(Side.UPSTREAM));
                case MIGRATING -> upstream.closed() ? List.of() : List.of(closeAction(Side.UPSTREAM));
                case OPEN, FAILING_OVER -> List.of();
            };
            case CLIENT_SILENT -> ending() || client.closed() ? List.of() : List.of(dropAction(Side.CLIENT));
            case UPSTREAM_SILENT -> now != Phase.OPEN || upstream.closed() ? List.of()
                    : List.of(dropAction(Side.UPSTREAM));
        };
    }

    private void claim(List<SessionAction> out, Side side, int code, GatewayClose rule) {
        if (closeClaimed(side, code)) {
            out.add(SessionAction.sendClose(side, code, rule, flags(side)));
        }
    }

    private SessionAction closeAction(Side side) {
        return SessionAction.close(side, flags(side));
    }

    private SessionAction dropAction(Side side) {
        return SessionAction.drop(side, flags(side));
    }

    private void enterClosing(List<SessionAction> out) {
        if (on(PhaseEvent.CLOSE)) {
            out.add(SessionAction.DROP_HELD);
        }
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
