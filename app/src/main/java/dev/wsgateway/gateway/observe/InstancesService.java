package dev.wsgateway.gateway.observe;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.gateway.http.Json;
import dev.wsgateway.gateway.instances.ActiveSessions;
import dev.wsgateway.gateway.instances.Ejections;
import dev.wsgateway.gateway.instances.InstanceHealth;
import dev.wsgateway.gateway.relay.RelayListener;
import dev.wsgateway.gateway.relay.RelaySession;
import dev.wsgateway.gateway.upstream.ConnectFailure;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;

/**
 * {@code GET /application/instances[?serviceId=][&scope=cluster]}: per service, each instance discovery lists, with its
 * discovery status, passive ejection and active health check state, active sessions, and this gateway's connects to
 * it; with {@code scope=cluster} every gateway of the cluster's view of each instance, marked with the gateway.
 */
public final class InstancesService implements HttpService, RelayListener {
    private final ServiceRegistry registry;
    private final ActiveSessions active;
    private final InstanceHealth health;
    private final Ejections ejections;
    private final Map<String, ConnectStats> connects = new ConcurrentHashMap<>();
    private final ClusterListing cluster;

    /**
     * @param registry   discovery
     * @param active     active sessions per instance
     * @param health     active health check results
     * @param ejections  passive ejections
     * @param gateways   the other gateways of the cluster
     * @param peers      how to ask them
     */
    public InstancesService(ServiceRegistry registry, ActiveSessions active, InstanceHealth health,
                            Ejections ejections, GatewayPeers gateways, PeerClient peers) {
        this.registry = registry;
        this.active = active;
        this.health = health;
        this.ejections = ejections;
        this.cluster = new ClusterListing(gateways, peers);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list);
    }

    @Override
    public void upstreamConnect(String serviceId, String instanceId, long nanos, Optional<ConnectFailure> failure) {
        connects.computeIfAbsent(serviceId + "/" + instanceId, k -> new ConnectStats()).record(nanos, failure);
    }

    @Override
    public void failover(RelaySession session, String fromInstance, String toInstance) {
        connects.computeIfAbsent(session.info().serviceId() + "/" + fromInstance, k -> new ConnectStats()).lost();
    }

    private void list(ServerRequest req, ServerResponse res) {
        cluster.answer(req, res, "/application/instances", this::listing, "services", InstancesService::byService);
    }

    private StringBuilder listing(String serviceFilter) {
        List<String> services = registry.services().stream()
                .filter(id -> serviceFilter.isEmpty() || id.equals(serviceFilter))
                .sorted()
                .toList();
        return Json.array(new StringBuilder(), services, (doc, serviceId) -> {
            doc.append('{');
            Json.field(doc, "serviceId", serviceId).append(",\"instances\":");
            Json.array(doc, registry.instances(serviceId).stream()
                    .sorted(Comparator.comparing(ServiceInstance::instanceId)).toList(), this::append);
            doc.append('}');
        });
    }

    /**
     * Every gateway's services merged: per service (by id), every gateway's entry of each instance, by instance id
     * then gateway.
     */
    private static JsonArray byService(List<JsonObject> services) {
        Map<String, List<JsonObject>> instances = new TreeMap<>();
        for (JsonObject service : services) {
            String gateway = service.getString("gateway");
            List<JsonObject> of = instances.computeIfAbsent(service.getString("serviceId", ""), k -> new ArrayList<>());
            JsonArray listed = service.getJsonArray("instances");
            if (listed != null) {
                listed.getValuesAs(JsonObject.class).forEach(i -> of.add(ClusterListing.held(gateway, i)));
            }
        }
        JsonArrayBuilder merged = jakarta.json.Json.createArrayBuilder();
        instances.forEach((serviceId, list) -> {
            JsonArrayBuilder sorted = jakarta.json.Json.createArrayBuilder();
            list.stream()
                    .sorted(Comparator.comparing((JsonObject i) -> i.getString("instanceId", ""))
                                    .thenComparing(i -> i.getString("gateway")))
                    .forEach(sorted::add);
            merged.add(jakarta.json.Json.createObjectBuilder().add("serviceId", serviceId).add("instances", sorted));
        });
        return merged.build();
    }

    private void append(StringBuilder json, ServiceInstance instance) {
        String serviceId = instance.serviceId();
        String id = instance.instanceId();
        json.append('{');
        Json.field(json, "instanceId", id).append(',');
        Json.field(json, "address", instance.authority()).append(',');
        json.append("\"secure\":").append(instance.secure()).append(',');
        Json.field(json, "status", instance.status().name()).append(',');
        Optional<Instant> ejected = ejections.ejectedUntil(serviceId, id);
        json.append("\"ejected\":").append(ejected.isPresent()).append(',');
        nullable(json, "ejectedUntil", ejected.map(Instant::toString)).append(',');
        Optional<InstanceHealth.Status> checked = health.status(serviceId, id);
        Json.field(json, "health", checked.map(InstanceHealth.Status::state).orElse("off")).append(',');
        nullable(json, "healthSince", checked.map(s -> s.since().toString())).append(',');
        json.append("\"consecutiveFailures\":").append(checked.map(InstanceHealth.Status::consecutiveFailures)
                                                               .orElse(0)).append(',');
        nullable(json, "lastCheckFailure", checked.map(InstanceHealth.Status::lastFailure)
                .filter(s -> !s.isEmpty())).append(',');
        json.append("\"activeSessions\":").append(active.count(serviceId, id)).append(',');
        ConnectStats stats = connects.get(serviceId + "/" + id);
        json.append("\"connects\":").append(stats == null ? 0 : stats.connects.get()).append(',');
        json.append("\"connectFailures\":").append(stats == null ? 0 : stats.failures.get()).append(',');
        json.append("\"lastConnectMillis\":");
        if (stats == null || stats.lastNanos.get() < 0) {
            json.append("null");
        } else {
            json.append(String.format(Locale.ROOT, "%.3f", stats.lastNanos.get() / 1_000_000.0));
        }
        // the evidence that an instance listed UP really answers: the outcome of this gateway's last connect to it,
        // and sessions that lost it without a close (they failed over)
        json.append(",\"lastConnectOk\":").append(stats == null || stats.lastAt == null ? "null" : stats.lastOk);
        json.append(',');
        nullable(json, "lastConnectAt", Optional.ofNullable(stats == null ? null : stats.lastAt)
                .map(Instant::toString)).append(',');
        // when and why the last failed connect failed (the kind of failure, from its type: never peer-sent text)
        Optional<LastFailure> failed = Optional.ofNullable(stats == null ? null : stats.lastFailure);
        nullable(json, "lastConnectFailureAt", failed.map(f -> f.at().toString())).append(',');
        nullable(json, "lastConnectFailureReason", failed.map(LastFailure::reason)).append(',');
        json.append("\"sessionsLost\":").append(stats == null ? 0 : stats.lostSessions.get()).append(',');
        nullable(json, "lastSessionLostAt", Optional.ofNullable(stats == null ? null : stats.lastLostAt)
                .map(Instant::toString));
        json.append('}');
    }


    private static StringBuilder nullable(StringBuilder json, String name, Optional<String> value) {
        return value.isPresent() ? Json.field(json, name, value.get()) : json.append('"').append(name).append("\":null");
    }

    /**
     * This gateway's connect attempts to one instance.
     */
    private static final class ConnectStats {
        private final AtomicLong connects = new AtomicLong();
        private final AtomicLong failures = new AtomicLong();
        private final AtomicLong lastNanos = new AtomicLong(-1);
        private final AtomicLong lostSessions = new AtomicLong();
        private volatile boolean lastOk;
        private volatile Instant lastAt;
        private volatile LastFailure lastFailure;
        private volatile Instant lastLostAt;

        void record(long nanos, Optional<ConnectFailure> failure) {
            Instant now = Instant.now();
            connects.incrementAndGet();
            if (failure.isPresent()) {
                failures.incrementAndGet();
                lastFailure = new LastFailure(now, failure.get().reason());
            }
            lastNanos.set(nanos);
            lastOk = failure.isEmpty();
            lastAt = now;
        }

        void lost() {
            lostSessions.incrementAndGet();
            lastLostAt = Instant.now();
        }
    }

    /**
     * When and why the last connect to an instance failed (one object, so that a reader never pairs the time of one
     * failure with the reason of another).
     */
    private record LastFailure(Instant at, String reason) {
    }
}
