package dev.wsgateway.gateway.demo;

import java.util.Optional;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

/**
 * One session of the demo echo service, a faithful echo: every message comes back as it was sent (frame by frame,
 * text or binary), a ping is answered with a pong carrying its payload, a close is answered with the client's own
 * code and reason, and the first subprotocol the client offers is accepted. Helidon answers none of these itself.
 * <p>
 * One limit is Helidon's: it decodes each text frame on its own, so a UTF-8 character split across the frames of
 * a fragmented text message comes back as replacement characters.
 */
final class EchoListener implements WsListener {
    private static final HeaderName PROTOCOL = HeaderNames.create("Sec-WebSocket-Protocol");

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
        return headers.first(PROTOCOL)
                .map(offer -> offer.split(",", 2)[0].trim())
                .filter(protocol -> !protocol.isEmpty())
                .map(protocol -> WritableHeaders.create().set(PROTOCOL, protocol));
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        session.send(text, last);
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        session.send(buffer, last);
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        session.pong(buffer);
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        // answering first stops Helidon from answering "1000 normal" to every close
        session.close(status, reason);
    }
}
