package dev.wsgateway.gateway.observe;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import dev.wsgateway.gateway.http.Json;
import dev.wsgateway.gateway.http.Refusal;
import dev.wsgateway.gateway.http.RefusalRenderer;
import dev.wsgateway.gateway.relay.RelayListener;
import dev.wsgateway.gateway.relay.RelaySession;
import dev.wsgateway.gateway.relay.SessionInfo;
import dev.wsgateway.gateway.relay.SessionRegistry;

import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonStructure;

/**
 * {@code /application/websockets}: the active routed sessions as JSON, a superset of Zowe's listing, of this gateway or
 * ({@code ?scope=cluster}) of every gateway of its app, each session marked with the gateway that holds it;
 * {@code DELETE /application/websockets/{sessionId}} closes one (1008 to the client, 1001 to the service), on this
 * gateway or, when another gateway holds it, on that one (unless {@code ?scope=local}). Query values in
 * {@code gatewayPath} and {@code serviceUrl} are shown as {@code ***} (they may carry tokens).
 */
public final class WebSocketsService implements HttpService, RelayListener {
    /** Close code the client gets when an operator closes its session. */
    public static final int CLOSE_CODE = 1008;
    /** Close reason sent to both sides when an operator closes a session. */
    public static final String CLOSE_REASON = "Closed by the gateway operator";

    /** Session ids as the gateway makes them, and the only ones passed on to other gateways. */
    private static final Pattern SESSION_ID = Pattern.compile("[0-9A-Za-z_-]{1,64}");

    private final SessionRegistry sessions;
    private final Duration closeWait;
    private final ClusterListing cluster;
    private final PeerClient peers;
    private final Map<String, CompletableFuture<Void>> closing = new ConcurrentHashMap<>();

    /**
     * @param sessions  active sessions
     * @param closeWait how long a DELETE waits for the session to end (the relay's close timeout)
     * @param gateways  the other gateways of the cluster
     * @param peers     how to ask them
     */
    public WebSocketsService(SessionRegistry sessions, Duration closeWait, GatewayPeers gateways, PeerClient peers) {
        this.sessions = sessions;
        this.closeWait = closeWait;
        this.cluster = new ClusterListing(gateways, peers);
        this.peers = peers;
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
        boolean local;
        try {
            local = !ClusterListing.clusterScope(req) && req.query().contains("scope");
        } catch (Refusal refusal) {
            RefusalRenderer.send(res, refusal);
            return;
        }
        Optional<RelaySession> found = sessions.find(id);
        if (found.isEmpty()) {
            if (local || !SESSION_ID.matcher(id).matches()) {
                peers.send(req, res, new Refusal(404, "unknown_session", "No active session " + id));
            } else {
                deleteElsewhere(req, res, id);
            }
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
        Json.field(json, "gateway", cluster.view().self().id()).append(',');
        Json.field(json, "sessionId", id).append(',');
        json.append("\"closed\":").append(closed).append(',');
        json.append("\"code\":").append(CLOSE_CODE).append(',');
        Json.field(json, "reason", CLOSE_REASON).append('}');
        peers.send(req, res, closed ? Status.OK_200 : Status.ACCEPTED_202, json);
    }

    /**
     * Ask the other gateways to close a session this one does not hold: the one that holds it answers (its answer is
     * passed on), the others say 404. 404 only when every gateway answered so; 503 {@code cluster_incomplete} when
     * some did not answer.
     */
    private void deleteElsewhere(ServerRequest req, ServerResponse res, String id) {
        GatewayPeers.View view = cluster.view();
        List<PeerClient.Answer> answers = peers.ask(view.peers(), Method.DELETE, "/application/websockets/" + id,
                                                    Map.of("scope", "local"), view.self(),
                                                    peers.timeout().plus(closeWait).plusSeconds(1));
        List<String> unanswered = new ArrayList<>();
        for (PeerClient.Answer answer : answers) {
            if (answer.answered() && (answer.status() == 200 || answer.status() == 202)) {
                Optional<JsonStructure> body = ClusterListing.parse(answer.body());
                if (body.isPresent() && body.get() instanceof JsonObject closed) {
                    Json.send(res, Status.create(answer.status()),
                              ClusterListing.held(answer.peer().id(), closed).toString());
                    return;
                }
            }
            if (!answer.answered() || answer.status() != 404) {
                unanswered.add(answer.peer().id() + " (" + ClusterListing.failure(answer) + ")");
            }
        }
        int gateways = answers.size() + 1;
        RefusalRenderer.send(res, unanswered.isEmpty()
                ? new Refusal(404, "unknown_session", "No active session " + id + " on any of " + gateways
                        + " gateways")
                : new Refusal(503, "cluster_incomplete", "No active session " + id + " on the gateways that "
                        + "answered; not answered: " + String.join(", ", unanswered)));
    }

    private void list(ServerRequest req, ServerResponse res) {
        cluster.answer(req, res, "/application/websockets", this::listing, "sessions", WebSocketsService::byOpening);
    }

    private StringBuilder listing(String serviceId) {
        List<RelaySession> listed = sessions.sessions().stream()
                .filter(s -> serviceId.isEmpty() || s.info().serviceId().equals(serviceId))
                .sorted(Comparator.comparing(RelaySession::openedAt))
                .toList();
        return Json.array(new StringBuilder(), listed, this::append);
    }

    /**
     * The sessions of all gateways, oldest first.
     */
    private static JsonArray byOpening(List<JsonObject> sessions) {
        JsonArrayBuilder sorted = jakarta.json.Json.createArrayBuilder();
        sessions.stream()
                .sorted(Comparator.comparing(WebSocketsService::openedAt)
                                .thenComparing(s -> s.getString("gateway", "")))
                .forEach(sorted::add);
        return sorted.build();
    }

    private static Instant openedAt(JsonObject session) {
        try {
            return Instant.parse(session.getString("openedAt", ""));
        } catch (DateTimeParseException e) {
            return Instant.MAX;
        }
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
