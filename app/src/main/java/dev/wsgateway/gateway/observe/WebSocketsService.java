package dev.wsgateway.gateway.observe;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.wsgateway.gateway.http.Json;
import dev.wsgateway.gateway.http.Refusal;
import dev.wsgateway.gateway.http.RefusalRenderer;
import dev.wsgateway.gateway.relay.RelayListener;
import dev.wsgateway.gateway.relay.RelaySession;
import dev.wsgateway.gateway.relay.SessionInfo;
import dev.wsgateway.gateway.relay.SessionRegistry;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code /application/websockets}: the active routed sessions as JSON, a superset of Zowe's listing;
 * {@code DELETE /application/websockets/{sessionId}} closes one (1008 to the client, 1001 to the service).
 * Query values in {@code gatewayPath} and {@code serviceUrl} are shown as {@code ***} (they may carry tokens).
 */
public final class WebSocketsService implements HttpService, RelayListener {
    /** Close code the client gets when an operator closes its session. */
    public static final int CLOSE_CODE = 1008;
    /** Close reason sent to both sides when an operator closes a session. */
    public static final String CLOSE_REASON = "Closed by the gateway operator";

    private final SessionRegistry sessions;
    private final Duration closeWait;
    private final Map<String, CompletableFuture<Void>> closing = new ConcurrentHashMap<>();

    /**
     * @param sessions  active sessions
     * @param closeWait how long a DELETE waits for the session to end (the relay's close timeout)
     */
    public WebSocketsService(SessionRegistry sessions, Duration closeWait) {
        this.sessions = sessions;
        this.closeWait = closeWait;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
                .delete("/{sessionId}", this::delete);
    }

    @Override
    public void sessionClosed(RelaySession session) {
        CompletableFuture<Void> done = closing.remove(session.info().id());
        if (done != null) {
            done.complete(null);
        }
    }

    /**
     * Close a session and wait (up to the close timeout) until both of its connections are closed.
     */
    private void delete(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("sessionId");
        Optional<RelaySession> found = sessions.find(id);
        if (found.isEmpty()) {
            RefusalRenderer.send(res, new Refusal(404, "unknown_session", "No active session " + id));
            return;
        }
        RelaySession session = found.get();
        CompletableFuture<Void> done = closing.computeIfAbsent(id, k -> new CompletableFuture<>());
        if (sessions.find(id).isEmpty()) {
            // ended meanwhile: sessionClosed may have run before the future existed
            closing.remove(id);
            done.complete(null);
        } else {
            session.close(CLOSE_CODE, CLOSE_REASON);
        }
        boolean closed;
        try {
            done.get(closeWait.toMillis() + 1000, TimeUnit.MILLISECONDS);
            closed = true;
        } catch (TimeoutException e) {
            closed = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = false;
        } catch (ExecutionException e) {
            closed = false;
        }
        StringBuilder json = new StringBuilder("{");
        Json.field(json, "sessionId", id).append(',');
        json.append("\"closed\":").append(closed).append(',');
        json.append("\"code\":").append(CLOSE_CODE).append(',');
        Json.field(json, "reason", CLOSE_REASON).append('}');
        Json.send(res, closed ? Status.OK_200 : Status.ACCEPTED_202, json);
    }

    private void list(ServerRequest req, ServerResponse res) {
        String serviceId = req.query().first("serviceId").orElse("").toLowerCase(Locale.ROOT);
        List<RelaySession> listed = sessions.sessions().stream()
                .filter(s -> serviceId.isEmpty() || s.info().serviceId().equals(serviceId))
                .sorted(Comparator.comparing(RelaySession::openedAt))
                .toList();
        Json.send(res, Status.OK_200, Json.array(new StringBuilder(), listed, this::append));
    }

    private void append(StringBuilder json, RelaySession session) {
        SessionInfo info = session.info();
        json.append('{');
        Json.field(json, "sessionId", info.id()).append(',');
        Json.field(json, "clientAddress", info.clientAddress()).append(',');
        Json.field(json, "gatewayPath", info.redactedGatewayPath()).append(',');
        Json.field(json, "serviceUrl", info.redactedServiceUrl()).append(',');
        Json.field(json, "serviceSessionId", info.id()).append(',');
        Json.field(json, "serviceId", info.serviceId()).append(',');
        Json.field(json, "instanceId", info.instanceId()).append(',');
        Json.field(json, "subprotocol", info.subprotocol()).append(',');
        Json.field(json, "user", info.user()).append(',');
        Json.field(json, "openedAt", info.openedAt().toString()).append(',');
        json.append("\"messagesIn\":").append(session.messagesIn()).append(',');
        json.append("\"messagesOut\":").append(session.messagesOut()).append(',');
        json.append("\"bytesIn\":").append(session.bytesIn()).append(',');
        json.append("\"bytesOut\":").append(session.bytesOut()).append(',');
        json.append("\"failovers\":").append(session.failovers());
        json.append('}');
    }
}
