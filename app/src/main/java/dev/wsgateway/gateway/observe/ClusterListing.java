package dev.wsgateway.gateway.observe;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import dev.wsgateway.gateway.http.Refusal;
import dev.wsgateway.gateway.http.RefusalRenderer;
import dev.wsgateway.gateway.observe.GatewayPeers.Gateway;
import dev.wsgateway.gateway.observe.GatewayPeers.View;
import dev.wsgateway.gateway.observe.PeerClient.Answer;

import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;

/**
 * A listing of the whole cluster ({@code ?scope=cluster}): this gateway's own listing and those of its peers (asked
 * with {@code scope=local}, so nobody asks further), each entry marked with the {@code gateway} that holds it, merged
 * by the endpoint, inside an object that names the gateways that answered and those that are {@code missing} (with the
 * reason). A peer that fails never fails the answer.
 */
final class ClusterListing {
    private final GatewayPeers peers;
    private final PeerClient client;

    /**
     * @param peers  the other gateways
     * @param client how to ask them
     */
    ClusterListing(GatewayPeers peers, PeerClient client) {
        this.peers = peers;
        this.client = client;
    }

    /**
     * Whether a request asks for the cluster ({@code scope=cluster}) rather than this gateway ({@code scope=local},
     * the default).
     *
     * @param req the request
     * @return {@code true} for the cluster
     * @throws Refusal 400 {@code bad_scope} for another scope
     */
    static boolean clusterScope(ServerRequest req) throws Refusal {
        String scope = req.query().first("scope").orElse("local").trim().toLowerCase(Locale.ROOT);
        return switch (scope) {
            case "local" -> false;
            case "cluster" -> true;
            default -> throw new Refusal(400, "bad_scope", "scope must be local or cluster");
        };
    }

    /**
     * This gateway and its peers now.
     *
     * @return the view
     */
    View view() {
        return peers.view();
    }

    /**
     * Answer a listing request: this gateway's listing, or with {@code scope=cluster} every gateway's merged; 400 for
     * another scope. The listing may be narrowed to one service with {@code serviceId}, passed on to the peers.
     *
     * @param req   the request
     * @param res   the response
     * @param path  the endpoint's path
     * @param local this gateway's listing (a JSON array) for a service id filter (lower case, empty for all)
     * @param name  name of the merged array in a cluster answer
     * @param merge merges the gateways' entries, each already marked with its {@code gateway}
     */
    void answer(ServerRequest req, ServerResponse res, String path, Function<String, CharSequence> local, String name,
                Function<List<JsonObject>, JsonArray> merge) {
        boolean cluster;
        try {
            cluster = clusterScope(req);
        } catch (Refusal refusal) {
            RefusalRenderer.send(res, refusal);
            return;
        }
        String serviceId = req.query().first("serviceId").orElse("").trim().toLowerCase(Locale.ROOT);
        CharSequence own = local.apply(serviceId);
        if (!cluster) {
            client.send(req, res, Status.OK_200, own);
            return;
        }
        Map<String, String> query = serviceId.isEmpty() ? Map.of() : Map.of("serviceId", serviceId);
        dev.wsgateway.gateway.http.Json.send(res, Status.OK_200, list(req, path, query, own, name, merge));
    }

    /**
     * Ask every peer and merge the answers with the local listing.
     *
     * @param req    the operator's request (authorised by this gateway; nothing of it is passed on)
     * @param path   the endpoint's path
     * @param query  query parameters for the peers ({@code scope=local} is added)
     * @param local  this gateway's listing (a JSON array)
     * @param name   name of the merged array in the answer
     * @param merge  merges the gateways' entries, each already marked with its {@code gateway}
     * @return the answer
     */
    String list(ServerRequest req, String path, Map<String, String> query, CharSequence local, String name,
                Function<List<JsonObject>, JsonArray> merge) {
        View view = peers.view();
        Map<String, String> peerQuery = new HashMap<>(query);
        peerQuery.put("scope", "local");
        List<Answer> answers = client.ask(view.peers(), Method.GET, path, peerQuery, view.self(), client.timeout());
        JsonArrayBuilder gateways = Json.createArrayBuilder();
        JsonArrayBuilder missing = Json.createArrayBuilder();
        List<JsonObject> entries = new ArrayList<>();
        JsonArray own = (JsonArray) parse(local.toString()).orElseThrow();
        gateways.add(gateway(view.self()).add("self", true).add("entries", own.size()));
        own.forEach(entry -> entries.add(held(view.self().id(), entry.asJsonObject())));
        for (Answer answer : answers) {
            Optional<JsonArray> listed = answer.answered() && answer.status() == 200
                    ? parse(answer.body()).filter(JsonArray.class::isInstance).map(JsonArray.class::cast)
                    : Optional.empty();
            if (listed.isEmpty()) {
                missing.add(gateway(answer.peer()).add("reason", failure(answer)));
                continue;
            }
            gateways.add(gateway(answer.peer()).add("self", false).add("entries", listed.get().size())
                                 .add("millis", answer.nanos() / 1_000_000));
            listed.get().stream()
                    .filter(entry -> entry.getValueType() == JsonValue.ValueType.OBJECT)
                    .forEach(entry -> entries.add(held(answer.peer().id(), entry.asJsonObject())));
        }
        JsonObjectBuilder json = Json.createObjectBuilder()
                .add("scope", "cluster")
                .add("self", view.self().id())
                .add("gateways", gateways)
                .add("missing", missing);
        view.alone().ifPresent(note -> json.add("note", note));
        return json.add(name, merge.apply(entries)).build().toString();
    }

    /**
     * An entry marked with the gateway that holds it ({@code gateway} first).
     *
     * @param gateway the holder's id
     * @param entry   the entry
     * @return the marked entry
     */
    static JsonObject held(String gateway, JsonObject entry) {
        JsonObjectBuilder marked = Json.createObjectBuilder().add("gateway", gateway);
        entry.forEach((key, value) -> {
            if (!key.equals("gateway")) {
                marked.add(key, value);
            }
        });
        return marked.build();
    }

    /**
     * Why a peer's answer cannot be used.
     *
     * @param answer the answer
     * @return a short reason
     */
    static String failure(Answer answer) {
        if (!answer.answered()) {
            return answer.failure();
        }
        return switch (answer.status()) {
            case 200 -> "the answer is not a JSON array";
            default -> "HTTP " + answer.status();
        };
    }

    /**
     * Parse a JSON document.
     *
     * @param json text
     * @return the document, empty when it is not JSON
     */
    static Optional<JsonStructure> parse(String json) {
        try (JsonReader reader = Json.createReader(new StringReader(json))) {
            return Optional.of(reader.read());
        } catch (JsonException | IllegalStateException e) {
            return Optional.empty();
        }
    }

    private static JsonObjectBuilder gateway(Gateway gateway) {
        return Json.createObjectBuilder()
                .add("gateway", gateway.id())
                .add("url", gateway.observe().toString())
                .add("status", gateway.status());
    }
}
