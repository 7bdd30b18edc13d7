package dev.wsgateway.testsupport;

import java.io.StringReader;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * A stand-in for a single-node Consul agent (server mode), for tests only: no Consul server can be installed on these
 * machines (it is not in Debian, npm or Maven Central). It speaks the documented HTTP API of the endpoints the
 * gateway uses, with bodies shaped as in Consul's API documentation:
 * <ul>
 *     <li>{@code GET /v1/catalog/services} and {@code GET /v1/health/service/:service} ({@code dc}, {@code passing}),
 *     both as <em>blocking queries</em>: {@code X-Consul-Index} on every answer; with {@code ?index=N} the request
 *     hangs until that resource's index passes N or {@code wait} (Go duration, default 5m, at most 10m, plus up to
 *     wait/16) runs out;</li>
 *     <li>{@code PUT /v1/agent/service/register} (ID, Name, Tags, Address, Port, Meta with Consul's key rule, Check or
 *     Checks: HTTP checks are run every Interval, 2xx passing, 429 warning, anything else critical; TTL or no
 *     definition starts as Status or critical) and {@code PUT /v1/agent/service/deregister/:id};</li>
 *     <li>ACLs when {@link #requireToken(String)} is set: {@code X-Consul-Token} (or {@code Authorization: Bearer})
 *     must match, else 403.</li>
 * </ul>
 * Like a real agent it lists its own {@code consul} service. What it does not do: several nodes or datacenters
 * (another {@code dc} gets Consul's 500 "No path to datacenter"), gossip, KV, anti-entropy, filters.
 * <p>
 * Tests drive it through the same API or through {@link #register(String)}, {@link #checkStatus(String, String)},
 * {@link #stop()} (Consul down) and {@link #restart()} (same port, state kept, as after a server restart).
 */
public final class ConsulStandIn implements AutoCloseable {
    /** The stand-in's datacenter. */
    public static final String DATACENTER = "dc1";
    /** The stand-in's node name. */
    public static final String NODE = "standin-node";
    /** The node's address (what an instance without a service address is reached at). */
    public static final String NODE_ADDRESS = "127.0.0.1";

    private static final Pattern GO_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final Pattern META_KEY = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, Registration> registrations = new LinkedHashMap<>();
    private final Map<String, Long> serviceIndexes = new TreeMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpClient checker = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final SSLContext tls;
    private final boolean clientCertificates;
    private long raftIndex = 12;
    private long catalogIndex;
    private volatile String requiredToken;
    private volatile boolean down;
    private volatile WebServer server;
    private volatile int port;

    private ConsulStandIn(SSLContext tls, boolean clientCertificates) {
        this.tls = tls;
        this.clientCertificates = clientCertificates;
        register("{\"ID\":\"consul\",\"Name\":\"consul\",\"Port\":8300}");
    }

    /**
     * Start on a free loopback port, plain HTTP.
     *
     * @return the running stand-in
     */
    public static ConsulStandIn start() {
        return start(null);
    }

    /**
     * Start on a free loopback port.
     *
     * @param tls server TLS, {@code null} for plain HTTP
     * @return the running stand-in
     */
    public static ConsulStandIn start(SSLContext tls) {
        return start(tls, false);
    }

    /**
     * Start on a free loopback port with TLS.
     *
     * @param tls                server TLS (its trust managers decide which client certificates are accepted)
     * @param clientCertificates whether every client must present a certificate
     * @return the running stand-in
     */
    public static ConsulStandIn start(SSLContext tls, boolean clientCertificates) {
        ConsulStandIn consul = new ConsulStandIn(tls, clientCertificates);
        consul.listen(0);
        return consul;
    }

    /**
     * Base URL, e.g. {@code http://127.0.0.1:PORT}.
     *
     * @return URL
     */
    public String url() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /**
     * Refuse requests without this ACL token (403), as Consul with {@code acl.default_policy = deny} does.
     *
     * @param token the token, {@code null} to switch ACLs off
     */
    public void requireToken(String token) {
        this.requiredToken = token;
    }

    /**
     * Register a service as {@code PUT /v1/agent/service/register} would.
     *
     * @param json service definition (Consul's JSON)
     * @throws IllegalArgumentException when Consul would refuse it (400)
     */
    public void register(String json) {
        JsonObject definition;
        try (JsonReader reader = Json.createReader(new StringReader(json))) {
            definition = reader.readObject();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Request decode failed: " + e.getMessage(), e);
        }
        Registration registration = Registration.of(definition);
        lock.lock();
        try {
            Registration old = registrations.put(registration.id, registration);
            if (old != null) {
                old.stopChecks();
            }
            registration.createIndex = old == null ? raftIndex + 1 : old.createIndex;
            bump(registration.name, true);
            registration.modifyIndex = raftIndex;
        } finally {
            lock.unlock();
        }
        registration.checks.values().forEach(this::runCheck);
    }

    /**
     * Remove a service as {@code PUT /v1/agent/service/deregister/:id} would.
     *
     * @param serviceId service ID
     * @return whether it was registered
     */
    public boolean deregister(String serviceId) {
        lock.lock();
        try {
            Registration gone = registrations.remove(serviceId);
            if (gone == null) {
                return false;
            }
            gone.stopChecks();
            bump(gone.name, true);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Set every check of a service (as {@code PUT /v1/agent/check/update/:check_id} would), adding a TTL check when it
     * has none.
     *
     * @param serviceId service ID
     * @param status    {@code passing}, {@code warning} or {@code critical}
     */
    public void checkStatus(String serviceId, String status) {
        lock.lock();
        try {
            Registration registration = registrations.get(serviceId);
            if (registration == null) {
                throw new IllegalArgumentException("Unknown service ID " + serviceId);
            }
            if (registration.checks.isEmpty()) {
                registration.checks.put("service:" + serviceId, new Check("service:" + serviceId,
                                                                          "Service '" + registration.name + "' check",
                                                                          null, null, null, status,
                                                                          registration.name));
            }
            registration.checks.values().forEach(c -> {
                c.stopRunner();
                c.status = status;
            });
            bump(registration.name, false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The definition a service was registered with, as received.
     *
     * @param serviceId service ID
     * @return the JSON body, empty when not registered
     */
    public Optional<JsonObject> registration(String serviceId) {
        lock.lock();
        try {
            return Optional.ofNullable(registrations.get(serviceId)).map(r -> r.definition);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Status of a service's checks, worst first ({@code critical} over {@code warning} over {@code passing}).
     *
     * @param serviceId service ID
     * @return the status, empty when not registered
     */
    public Optional<String> serviceStatus(String serviceId) {
        lock.lock();
        try {
            Registration registration = registrations.get(serviceId);
            return registration == null ? Optional.empty() : Optional.of(registration.status());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Requests received so far (oldest first).
     *
     * @return requests
     */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /**
     * Stop answering, as a crashed agent: blocked queries end with an error, new connections are refused.
     */
    public void stop() {
        down = true;
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        WebServer s = server;
        if (s != null) {
            s.stop();
        }
    }

    /**
     * Listen again on the same port, with the state it had.
     */
    public void restart() {
        listen(port);
    }

    @Override
    public void close() {
        stop();
        lock.lock();
        try {
            registrations.values().forEach(Registration::stopChecks);
        } finally {
            lock.unlock();
        }
    }

    private void listen(int onPort) {
        WebServerConfig.Builder builder = WebServer.builder()
                .host("127.0.0.1")
                .port(onPort)
                .shutdownHook(false)
                .putListenerSocketOption(StandardSocketOptions.SO_REUSEADDR, true)
                .routing(routing -> routing
                        .get("/v1/catalog/services", this::catalogServices)
                        .get("/v1/health/service/{service}", this::healthService)
                        .put("/v1/agent/service/register", this::agentRegister)
                        .put("/v1/agent/service/deregister/{id}", this::agentDeregister));
        if (tls != null) {
            javax.net.ssl.SSLParameters parameters = tls.getDefaultSSLParameters();
            parameters.setNeedClientAuth(clientCertificates);
            builder.tls(t -> t.sslContext(tls).sslParameters(parameters));
        }
        down = false;
        WebServer started = builder.build().start();
        port = started.port();
        server = started;
    }

    private void catalogServices(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res) || !sameDatacenter(req, res)) {
            return;
        }
        JsonObjectBuilder body = Json.createObjectBuilder();
        long index;
        lock.lock();
        try {
            if (!awaitIndex(req, () -> catalogIndex)) {
                res.status(Status.INTERNAL_SERVER_ERROR_500).send("agent stopped");
                return;
            }
            Map<String, TreeSet<String>> tags = new TreeMap<>();
            for (Registration r : registrations.values()) {
                tags.computeIfAbsent(r.name, n -> new TreeSet<>()).addAll(r.tags);
            }
            tags.forEach((name, t) -> body.add(name, Json.createArrayBuilder(t)));
            index = catalogIndex;
        } finally {
            lock.unlock();
        }
        answer(res, index, body.build().toString());
    }

    private void healthService(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res) || !sameDatacenter(req, res)) {
            return;
        }
        String service = req.path().pathParameters().get("service");
        boolean passing = req.query().contains("passing")
                && !req.query().first("passing").orElse("").equalsIgnoreCase("false");
        JsonArrayBuilder body = Json.createArrayBuilder();
        long index;
        lock.lock();
        try {
            if (!awaitIndex(req, () -> serviceIndexes.getOrDefault(service, Math.max(1, catalogIndex)))) {
                res.status(Status.INTERNAL_SERVER_ERROR_500).send("agent stopped");
                return;
            }
            for (Registration r : registrations.values()) {
                if (r.name.equals(service) && (!passing || r.status().equals("passing"))) {
                    body.add(r.healthEntry());
                }
            }
            index = serviceIndexes.getOrDefault(service, Math.max(1, catalogIndex));
        } finally {
            lock.unlock();
        }
        answer(res, index, body.build().toString());
    }

    private void agentRegister(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res)) {
            return;
        }
        try {
            register(req.content().as(String.class));
            res.send();
        } catch (IllegalArgumentException e) {
            res.status(Status.BAD_REQUEST_400).send(e.getMessage());
        }
    }

    private void agentDeregister(ServerRequest req, ServerResponse res) {
        if (!admitted(req, res)) {
            return;
        }
        String id = req.path().pathParameters().get("id");
        if (deregister(id)) {
            res.send();
        } else {
            res.status(Status.NOT_FOUND_404).send("Unknown service ID \"" + id + "\". Ensure that the service ID is "
                                                          + "passed, not the service name.");
        }
    }

    private boolean admitted(ServerRequest req, ServerResponse res) {
        Optional<String> token = req.headers().first(HeaderNames.create("X-Consul-Token"))
                .or(() -> req.headers().first(HeaderNames.AUTHORIZATION)
                        .filter(a -> a.startsWith("Bearer "))
                        .map(a -> a.substring("Bearer ".length())));
        requests.add(new Request(req.prologue().method().text(), req.path().rawPath(), req.query().rawValue(),
                                 token.orElse(null)));
        String required = requiredToken;
        if (required == null || token.filter(required::equals).isPresent()) {
            return true;
        }
        res.status(Status.FORBIDDEN_403).send(token.isPresent() ? "ACL not found" : "Permission denied");
        return false;
    }

    private boolean sameDatacenter(ServerRequest req, ServerResponse res) {
        String dc = req.query().first("dc").orElse(DATACENTER);
        if (dc.equals(DATACENTER)) {
            return true;
        }
        res.status(Status.INTERNAL_SERVER_ERROR_500).send("No path to datacenter");
        return false;
    }

    /**
     * Block (under the lock; waiting releases it) while the resource's index is not past the requested
     * one, at most for {@code wait} plus up to wait/16.
     *
     * @return {@code false} when the agent was stopped meanwhile
     */
    private boolean awaitIndex(ServerRequest req, java.util.function.LongSupplier current) {
        Optional<String> index = req.query().first("index").asOptional();
        if (index.isEmpty()) {
            return true;
        }
        long wanted = Long.parseLong(index.get());
        Duration wait = req.query().first("wait").asOptional().map(ConsulStandIn::goDuration).orElse(DEFAULT_WAIT);
        if (wait.compareTo(MAX_WAIT) > 0) {
            wait = MAX_WAIT;
        }
        long nanos = wait.toNanos() + ThreadLocalRandom.current().nextLong(wait.toNanos() / 16 + 1);
        while (current.getAsLong() <= wanted && nanos > 0 && !down) {
            try {
                nanos = changed.awaitNanos(nanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return !down;
    }

    private static void answer(ServerResponse res, long index, String json) {
        res.header(HeaderValues.create("X-Consul-Index", Long.toString(index)))
                .header(HeaderValues.create("X-Consul-Knownleader", "true"))
                .header(HeaderValues.create("X-Consul-Lastcontact", "0"));
        res.headers().contentType(MediaTypes.APPLICATION_JSON);
        res.send(json);
    }

    /**
     * A write happened (under the lock): the next raft index, given to the service and, for registrations, to the
     * catalog; blocked queries wake up.
     */
    private void bump(String service, boolean catalog) {
        raftIndex++;
        serviceIndexes.put(service, raftIndex);
        if (catalog) {
            catalogIndex = raftIndex;
        }
        changed.signalAll();
    }

    private void runCheck(Check check) {
        if (check.http == null || check.interval == null) {
            return;
        }
        check.runner = Thread.ofVirtual().name("consul-standin-check-" + check.id).start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                String status;
                try {
                    HttpResponse<Void> response = checker.send(
                            HttpRequest.newBuilder(URI.create(check.http)).timeout(check.timeout).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
                    int code = response.statusCode();
                    status = code / 100 == 2 ? "passing" : code == 429 ? "warning" : "critical";
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    status = "critical";
                }
                lock.lock();
                try {
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    if (!status.equals(check.status)) {
                        check.status = status;
                        bump(check.serviceName, false);
                    }
                } finally {
                    lock.unlock();
                }
                try {
                    TimeUnit.NANOSECONDS.sleep(check.interval.toNanos());
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /**
     * A Go duration as Consul accepts it ({@code 10s}, {@code 1500ms}, {@code 1m30s}).
     */
    static Duration goDuration(String value) {
        Matcher m = GO_DURATION.matcher(value.trim());
        long nanos = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double amount = Double.parseDouble(m.group(1));
            double unit = switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            nanos += (long) (amount * unit);
            end = m.end();
        }
        if (end == 0 || end != value.trim().length()) {
            throw new IllegalArgumentException("invalid duration " + value);
        }
        return Duration.ofNanos(nanos);
    }

    /**
     * A request as the stand-in received it.
     *
     * @param method HTTP method
     * @param path   raw path
     * @param query  raw query ({@code ""} when none)
     * @param token  the ACL token it carried, {@code null} when none
     */
    public record Request(String method, String path, String query, String token) {
    }

    private static final class Registration {
        private final JsonObject definition;
        private final String id;
        private final String name;
        private final List<String> tags;
        private final Map<String, Check> checks = new LinkedHashMap<>();
        private long createIndex;
        private long modifyIndex;

        private Registration(JsonObject definition, String id, String name, List<String> tags) {
            this.definition = definition;
            this.id = id;
            this.name = name;
            this.tags = tags;
        }

        static Registration of(JsonObject d) {
            String name = d.getString("Name", "");
            if (name.isBlank()) {
                throw new IllegalArgumentException("Invalid Service: Missing service name");
            }
            if (d.containsKey("Port") && (d.getInt("Port") < 0 || d.getInt("Port") > 65535)) {
                throw new IllegalArgumentException("Invalid Service: Port must be 0..65535");
            }
            if (d.get("Meta") instanceof JsonObject meta) {
                for (var entry : meta.entrySet()) {
                    if (!META_KEY.matcher(entry.getKey()).matches()) {
                        throw new IllegalArgumentException("Invalid Service Meta: Key contains invalid characters");
                    }
                    if (!(entry.getValue() instanceof JsonString)) {
                        throw new IllegalArgumentException("Request decode failed: Meta values must be strings");
                    }
                }
            }
            List<String> tags = new ArrayList<>();
            if (d.get("Tags") instanceof jakarta.json.JsonArray array) {
                array.forEach(v -> tags.add(((JsonString) v).getString()));
            }
            String id = d.getString("ID", name);
            Registration r = new Registration(d, id, name, List.copyOf(tags));
            List<JsonObject> definitions = new ArrayList<>();
            if (d.get("Check") instanceof JsonObject check) {
                definitions.add(check);
            }
            if (d.get("Checks") instanceof jakarta.json.JsonArray array) {
                array.forEach(v -> definitions.add(v.asJsonObject()));
            }
            for (int i = 0; i < definitions.size(); i++) {
                JsonObject c = definitions.get(i);
                String checkId = c.getString("CheckID", definitions.size() == 1 ? "service:" + id : "service:" + id + ":" + (i + 1));
                String http = c.getString("HTTP", null);
                Duration interval = c.containsKey("Interval") ? goDuration(c.getString("Interval")) : null;
                if (http != null && interval == null) {
                    throw new IllegalArgumentException("Invalid check: HTTP checks require an Interval");
                }
                Duration timeout = c.containsKey("Timeout") ? goDuration(c.getString("Timeout")) : Duration.ofSeconds(10);
                r.checks.put(checkId, new Check(checkId, c.getString("Name", "Service '" + name + "' check"), http,
                                                interval, timeout, c.getString("Status", "critical"), name));
            }
            return r;
        }

        String status() {
            boolean warning = false;
            for (Check c : checks.values()) {
                if (c.status.equals("critical")) {
                    return "critical";
                }
                warning |= c.status.equals("warning");
            }
            return warning ? "warning" : "passing";
        }

        JsonObject healthEntry() {
            JsonObjectBuilder service = Json.createObjectBuilder()
                    .add("ID", id)
                    .add("Service", name)
                    .add("Tags", Json.createArrayBuilder(tags))
                    .add("Address", definition.getString("Address", ""))
                    .add("Meta", definition.get("Meta") instanceof JsonObject m ? m : JsonValue.EMPTY_JSON_OBJECT)
                    .add("Port", definition.getInt("Port", 0))
                    .add("Weights", Json.createObjectBuilder().add("Passing", 1).add("Warning", 1))
                    .add("EnableTagOverride", false)
                    .add("CreateIndex", createIndex)
                    .add("ModifyIndex", modifyIndex);
            JsonArrayBuilder checkArray = Json.createArrayBuilder()
                    .add(Json.createObjectBuilder()
                                 .add("Node", NODE)
                                 .add("CheckID", "serfHealth")
                                 .add("Name", "Serf Health Status")
                                 .add("Status", "passing")
                                 .add("Notes", "")
                                 .add("Output", "Agent alive and reachable")
                                 .add("ServiceID", "")
                                 .add("ServiceName", "")
                                 .add("ServiceTags", JsonValue.EMPTY_JSON_ARRAY)
                                 .add("Type", ""));
            for (Check c : checks.values()) {
                checkArray.add(Json.createObjectBuilder()
                                       .add("Node", NODE)
                                       .add("CheckID", c.id)
                                       .add("Name", c.name)
                                       .add("Status", c.status)
                                       .add("Notes", "")
                                       .add("Output", "")
                                       .add("ServiceID", id)
                                       .add("ServiceName", name)
                                       .add("ServiceTags", Json.createArrayBuilder(tags))
                                       .add("Type", c.http != null ? "http" : "ttl"));
            }
            return Json.createObjectBuilder()
                    .add("Node", Json.createObjectBuilder()
                            .add("ID", "40e4a748-2192-161a-0510-9bf59fe950b5")
                            .add("Node", NODE)
                            .add("Address", NODE_ADDRESS)
                            .add("Datacenter", DATACENTER)
                            .add("TaggedAddresses", Json.createObjectBuilder()
                                    .add("lan", NODE_ADDRESS)
                                    .add("wan", NODE_ADDRESS))
                            .add("Meta", Json.createObjectBuilder().add("consul-network-segment", "")))
                    .add("Service", service)
                    .add("Checks", checkArray)
                    .build();
        }

        void stopChecks() {
            checks.values().forEach(Check::stopRunner);
        }
    }

    private static final class Check {
        private final String id;
        private final String name;
        private final String http;
        private final Duration interval;
        private final Duration timeout;
        private final String serviceName;
        private volatile String status;
        private volatile Thread runner;

        private Check(String id, String name, String http, Duration interval, Duration timeout, String status,
                      String serviceName) {
            this.id = id;
            this.name = name;
            this.http = http;
            this.interval = interval;
            this.timeout = timeout;
            this.status = status;
            this.serviceName = serviceName;
        }

        void stopRunner() {
            Thread t = runner;
            if (t != null) {
                t.interrupt();
            }
        }
    }
}
