package dev.wsgateway.gateway.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;

/**
 * Names of the WebSocket handshake headers (RFC 6455) and the fetch metadata header the gateway reads; the others come
 * from Helidon's {@link HeaderNames}.
 */
public final class WsHeaders {
    public static final HeaderName KEY = HeaderNames.create("Sec-WebSocket-Key");
    public static final HeaderName VERSION = HeaderNames.create("Sec-WebSocket-Version");
    public static final HeaderName ACCEPT = HeaderNames.create("Sec-WebSocket-Accept");
    public static final HeaderName PROTOCOL = HeaderNames.create("Sec-WebSocket-Protocol");
    public static final HeaderName EXTENSIONS = HeaderNames.create("Sec-WebSocket-Extensions");
    public static final HeaderName SEC_FETCH_SITE = HeaderNames.create("Sec-Fetch-Site");

    private WsHeaders() {
    }
}
