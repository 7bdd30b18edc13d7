package dev.wsgateway.gateway.relay;

import dev.wsgateway.gateway.relay.SessionMachine.End;
import dev.wsgateway.gateway.relay.SessionMachine.Offence;

import io.helidon.websocket.WsCloseCodes;

/**
 * A session's answers to what its pumps report: who gets which close code when a peer closes, breaks the protocol or
 * a limit, or vanishes, and which upstream losses move the session to another instance.
 */
final class SessionEvents implements PumpEvents {
    private static final System.Logger LOGGER = System.getLogger(SessionEvents.class.getName());

    private final RelaySession session;

    SessionEvents(RelaySession session) {
        this.session = session;
    }

    @Override
    public void dataRelayed() {
        session.dataRelayed();
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
        boolean fromClient = offender == session.client();
        Offence offence = code == WsCloseCodes.NOT_CONSISTENT ? Offence.BAD_CLOSE_REASON : Offence.PROTOCOL_ERROR;
        session.terminate(session.state().machine().offence(offence, fromClient), what, fromClient ? "" : what);
        // a peer that breaks the framing gets no close handshake: its connection is dropped
        offender.close();
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
        session.terminate(session.state().machine().offence(offence, fromClient), detail, fromClient ? "" : detail);
    }

    /**
     * 1001 (going away) and 1012 (service restart) fail over when possible; any close while migrating does.
     */
    @Override
    public boolean failoverOnClose(int code) {
        Leg client = session.client();
        return session.state().machine().failoverOnClose(code, client.closeSent(), client.closeReceived());
    }

    /**
     * The client pump stopped: after a close handshake, a failure, or the client vanishing.
     *
     * @param pump the client pump
     */
    void clientPumpEnded(FramePump pump) {
        Leg client = session.client();
        Leg up = session.upstream().leg();
        if (session.state().machine().clientEnded(client.closeReceived()) == End.LOST) {
            String cause = pump.failure() == null ? "closed the connection without a close frame"
                    : "connection failed";
            session.end("client " + cause);
            up.sendClose(GatewayClose.CLIENT_LOST.serviceCode(), GatewayClose.CLIENT_LOST.serviceReason(cause));
        }
        session.end("client connection ended");
        client.close();
        // otherwise the service answers the close frame it got, or the watchdog drops it after the close timeout
        if (up.closeHandshakeDone() || up.closeReceived()) {
            up.close();
        }
    }

    /**
     * An upstream pump stopped: fail over when the loss allows it, else pass the end on to the client.
     *
     * @param pump the upstream pump
     * @return whether the session failed over and a new upstream pump is ready
     */
    boolean upstreamPumpEnded(FramePump pump) {
        Leg src = pump.source();
        Leg client = session.client();
        End end = session.state().machine().upstreamEnded(src.closeReceived(), pump.failoverRequested(),
                                                          pump.cutMidMessage(), client.closeSent(),
                                                          client.closeReceived());
        if (end == End.CUT) {
            src.close();
            session.failClient(GatewayClose.MESSAGE_CUT, "");
            return false;
        }
        if (end == End.FAIL_OVER) {
            return session.failover(pump);
        }
        if (end == End.LOST) {
            String cause = pump.failoverRequested() ? "is going away"
                    : pump.failure() == null ? "closed the connection without a close frame" : "connection failed";
            session.end("upstream " + cause);
            client.sendClose(GatewayClose.UPSTREAM_LOST.clientCode(), GatewayClose.UPSTREAM_LOST.clientReason(cause));
        }
        src.close();
        if (client.closeReceived() && !client.closeSent()) {
            // the service went before answering the client's close: answer it in its place
            CloseReason close = session.clientClose();
            int code = close == null || close.code() == WsCloseCodes.NO_STATUS_CODE ? WsCloseCodes.NORMAL_CLOSE
                    : close.code();
            client.sendClose(code, "");
        }
        if (client.closeHandshakeDone() || client.closeReceived()) {
            client.close();
        }
        return false;
    }
}
