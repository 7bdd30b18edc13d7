package dev.wsgateway.gateway.relay;

import io.helidon.websocket.WsCloseCodes;

/**
 * The session as its {@link UpstreamSide} sees it.
 */
final class SessionOwner implements UpstreamOwner {
    private final RelaySession session;

    SessionOwner(RelaySession session) {
        this.session = session;
    }

    @Override
    public boolean failoverPossible() {
        return session.failoverPossible();
    }

    @Override
    public void failClientLater(Loss loss, String detail) {
        Thread.ofVirtual().start(() -> session.failClient(loss.close(), detail));
    }

    @Override
    public void answerClientClose(int code) {
        session.client().sendClose(code == WsCloseCodes.NO_STATUS_CODE ? WsCloseCodes.NORMAL_CLOSE : code, "");
    }
}
