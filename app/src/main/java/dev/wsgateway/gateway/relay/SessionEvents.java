package dev.wsgateway.gateway.relay;

import java.util.List;
import java.util.function.Function;

import dev.wsgateway.gateway.relay.SessionMachine.Side;

import io.helidon.websocket.WsCloseCodes;

/**
 * The session's events in, actions out: what its pumps (and the session itself) report is given to its
 * {@link SessionMachine} under the session's lock ({@link #act}); who gets which close code when a peer closes, breaks
 * the protocol or a limit, or vanishes, and which upstream losses move the session to another instance is the
 * machine's to decide. The actions it answers are carried out here ({@link #carryOut}) once the lock is let go.
 */
final class SessionEvents implements PumpEvents {
    private static final System.Logger LOGGER = System.getLogger(SessionEvents.class.getName());

    private final RelaySession session;

    SessionEvents(RelaySession session) {
        this.session = session;
    }

    /**
     * Give the machine an event under the session's lock, then (the lock let go) carry out its actions.
     *
     * @param why           why the session ends, if the event begins its closing
     * @param event         the event
     * @param clientDetail  what the client's close reason adds to its rule's text
     * @param serviceDetail what the service's adds
     * @return the actions (carried out)
     */
    List<SessionAction> act(String why, Function<SessionMachine, List<SessionAction>> event, String clientDetail,
                            String serviceDetail) {
        List<SessionAction> actions = session.state().decide(why, event);
        carryOut(actions, clientDetail, serviceDetail);
        return actions;
    }

    /**
     * Carry out a machine's actions, in order (never under the session's lock: they write and close sockets). An
     * action on an upstream the session has since left is not carried out on the new one. {@code FAIL_OVER} is the
     * caller's.
     */
    void carryOut(List<SessionAction> actions, String clientDetail, String serviceDetail) {
        assert !session.state().lock().isHeldByCurrentThread() : "socket I/O under the session's lock";
        for (SessionAction action : actions) {
            Leg leg = action.side() == Side.CLIENT ? session.client() : session.upstream().leg();
            if (action.on() != null && !leg.boundTo(action.on())) {
                continue;
            }
            GatewayClose rule = action.rule();
            switch (action.kind()) {
            case SEND_CLOSE -> leg.sendClaimedClose(action.code(), rule == null ? ""
                    : action.side() == Side.CLIENT ? rule.clientReason(clientDetail)
                    : rule.serviceReason(serviceDetail));
            case CLOSE_CONNECTION -> leg.close();
            case DROP_CONNECTION -> leg.abort();
            case DROP_HELD -> session.upstream().dropHeld();
            case FAIL_OVER -> { }
            }
        }
    }

    @Override
    public void dataRelayed(long readNanos) {
        session.dataRelayed(readNanos);
    }

    @Override
    public void closeReceived(Leg from, CloseReason reason) {
        session.closeReceived(from, reason);
    }

    /**
     * The offender gets {@code code} and its connection is dropped; the other side gets the documented code (1011 to
     * the client for a faulty service, 1001 to the service for a faulty client).
     */
    @Override
    public void protocolError(Leg offender, int code, String what) {
        LOGGER.log(System.Logger.Level.DEBUG, () -> "session " + session.info().id() + ": protocol error from "
                + offender.name() + ": " + what);
        offended(code == WsCloseCodes.NOT_CONSISTENT ? Offence.BAD_CLOSE_REASON : Offence.PROTOCOL_ERROR, offender,
                 what);
    }

    /**
     * 1009 to the sender; the client gets 1009 for a service's message too big, the service 1001 for a client's.
     */
    @Override
    public void tooBig(Leg offender, long limit) {
        offended(Offence.TOO_BIG, offender, limit + " bytes");
    }

    /**
     * 1008 to the sender; the service 1001 for a client's message, the client 1011 for a service's.
     */
    @Override
    public void tooManyFragments(Leg offender, int limit) {
        offended(Offence.TOO_MANY_FRAGMENTS, offender, limit + " fragments");
    }

    private void offended(Offence offence, Leg offender, String detail) {
        boolean fromClient = offender == session.client();
        act(offence.rule(fromClient).clientReason(detail), m -> m.offence(offence, fromClient), detail,
                    fromClient ? "" : detail);
    }

    /**
     * 1001 (going away) and 1012 (service restart) fail over when possible; any close while migrating does.
     */
    @Override
    public boolean failoverOnClose(int code) {
        return session.state().machine().failoverOnClose(code);
    }

    /**
     * The client pump stopped: after a close handshake, a failure, or the client vanishing.
     *
     * @param pump the client pump
     */
    void clientPumpEnded(FramePump pump) {
        String cause = pump.failure() == null ? "closed the connection without a close frame" : "connection failed";
        boolean lost = !session.state().machine().flags(Side.CLIENT).received();
        act(lost ? "client " + cause : "client connection ended", SessionMachine::clientEnded, "", cause);
    }

    /**
     * An upstream pump stopped: fail over when the loss allows it, else pass the end on to the client.
     *
     * @param pump the upstream pump
     * @return whether the session failed over and a new upstream pump is ready
     */
    boolean upstreamPumpEnded(FramePump pump) {
        String cause = pump.failoverRequested() ? "is going away"
                : pump.failure() == null ? "closed the connection without a close frame" : "connection failed";
        List<SessionAction> actions = session.state().decide(null, m -> m.upstreamEnded(pump.failoverRequested(),
                                                                                       pump.cutMidMessage()));
        if (actions.contains(SessionAction.FAIL_OVER)) {
            return session.failover(pump);
        }
        if (actions.contains(SessionAction.DROP_HELD)) {
            // this end began the session's closing: a message cut, or an upstream lost without failover
            boolean cut = actions.stream().anyMatch(a -> a.rule() == GatewayClose.MESSAGE_CUT);
            String why = cut ? GatewayClose.MESSAGE_CUT.clientReason("") : "upstream " + cause;
            if (cut) {
                LOGGER.log(System.Logger.Level.INFO, () -> "session " + session.info().id() + ": " + why);
            }
            session.state().endReasonIfNone(why);
        }
        carryOut(actions, cause, "");
        return false;
    }
}
