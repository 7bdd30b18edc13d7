package dev.wsgateway.gateway.observe;

import java.util.Comparator;
import java.util.Locale;

import dev.wsgateway.gateway.relay.RelaySession;
import dev.wsgateway.gateway.relay.SessionInfo;
import dev.wsgateway.gateway.relay.SessionRegistry;

import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /application/websockets}: the active routed sessions as JSON, a superset of Zowe's listing.
 */
public final class WebSocketsService implements HttpService {
    private final SessionRegistry sessions;

    public WebSocketsService(SessionRegistry sessions) {
        this.sessions = sessions;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list);
    }

    private void list(ServerRequest req, ServerResponse res) {
        String serviceId = req.query().first("serviceId").orElse("").toLowerCase(Locale.ROOT);
        StringBuilder json = new StringBuilder("[");
        sessions.sessions().stream()
                .filter(s -> serviceId.isEmpty() || s.info().serviceId().equals(serviceId))
                .sorted(Comparator.comparing(RelaySession::openedAt))
                .forEach(s -> {
                    if (json.length() > 1) {
                        json.append(',');
                    }
                    append(json, s);
                });
        json.append(']');
        res.status(Status.OK_200)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .send(json.toString());
    }

    private static void append(StringBuilder json, RelaySession session) {
        SessionInfo info = session.info();
        json.append('{');
        field(json, "sessionId", info.id()).append(',');
        field(json, "clientAddress", info.clientAddress()).append(',');
        field(json, "gatewayPath", info.gatewayPath()).append(',');
        field(json, "serviceUrl", info.serviceUrl().toString()).append(',');
        field(json, "serviceSessionId", info.id()).append(',');
        field(json, "serviceId", info.serviceId()).append(',');
        field(json, "instanceId", info.instanceId()).append(',');
        field(json, "subprotocol", info.subprotocol()).append(',');
        field(json, "user", info.user()).append(',');
        field(json, "openedAt", info.openedAt().toString()).append(',');
        json.append("\"messagesIn\":").append(session.messagesIn()).append(',');
        json.append("\"messagesOut\":").append(session.messagesOut()).append(',');
        json.append("\"bytesIn\":").append(session.bytesIn()).append(',');
        json.append("\"bytesOut\":").append(session.bytesOut()).append(',');
        json.append("\"failovers\":").append(session.failovers());
        json.append('}');
    }

    private static StringBuilder field(StringBuilder json, String name, String value) {
        json.append('"').append(name).append("\":\"");
        for (char c : value.toCharArray()) {
            switch (c) {
            case '"' -> json.append("\\\"");
            case '\\' -> json.append("\\\\");
            default -> {
                if (c < 0x20) {
                    json.append(String.format("\\u%04x", (int) c));
                } else {
                    json.append(c);
                }
            }
            }
        }
        return json.append('"');
    }
}
