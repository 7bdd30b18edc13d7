package dev.wsgateway.gateway.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP/1.1 upgrade request the gateway sends an instance (RFC 6455 §4.1): the target's path and query as they
 * are, {@code Host} naming the instance, the client's forwarded headers (one line per value, as received), then the
 * gateway's own key and version. Header names the gateway sets itself are never taken from the forwarded ones.
 */
final class UpgradeRequest {
    private static final Set<String> OWN = Set.of("host", "connection", "upgrade", "sec-websocket-key",
                                                  "sec-websocket-version");

    private UpgradeRequest() {
    }

    /**
     * The request's bytes.
     *
     * @param target    where to
     * @param forwarded headers to pass on (names and values as the client sent them)
     * @param key       this connection's {@code Sec-WebSocket-Key}
     * @return ISO-8859-1 bytes of the request head
     */
    static byte[] bytes(UpstreamTarget target, Map<String, List<String>> forwarded, String key) {
        URI uri = target.uri();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        StringBuilder head = new StringBuilder(256 + 64 * forwarded.size())
                .append("GET ").append(path);
        if (uri.getRawQuery() != null) {
            head.append('?').append(uri.getRawQuery());
        }
        head.append(" HTTP/1.1\r\nHost: ").append(target.instance().authority()).append("\r\n");
        forwarded.forEach((name, values) -> {
            if (!OWN.contains(name.toLowerCase(Locale.ROOT))) {
                for (String value : values) {
                    head.append(name).append(": ").append(value).append("\r\n");
                }
            }
        });
        head.append("Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: ").append(key)
                .append("\r\nSec-WebSocket-Version: 13\r\n\r\n");
        return head.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
