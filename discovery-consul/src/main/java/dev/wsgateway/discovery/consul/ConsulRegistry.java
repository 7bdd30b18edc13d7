package dev.wsgateway.discovery.consul;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import dev.wsgateway.discovery.InMemoryRegistry;
import dev.wsgateway.discovery.SelfRegistration;
import dev.wsgateway.discovery.ServiceInstance;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;

/**
 * The registry as Consul's HTTP API shows it, kept current with blocking queries.
 * <p>
 * One loop watches {@code /v1/catalog/services}; for every service it lists (except Consul's own {@code consul}) a
 * loop watches {@code /v1/health/service/<name>}. Each loop sends the {@code X-Consul-Index} it last saw, so Consul
 * answers as soon as something changed (or after {@code wait}); each answer replaces that service's instances. The
 * registry is {@link #ready()} once the catalog and every service in it have been read once. A failed request changes
 * nothing (the last view stays) and is retried with backoff; the loops run on virtual threads.
 */
public final class ConsulRegistry extends InMemoryRegistry {
    private static final System.Logger LOGGER = System.getLogger(ConsulRegistry.class.getName());
    /** Consul's own servers register as this service; nothing to route to. */
    private static final String CONSUL_SERVICE = "consul";

    private final ConsulSettings settings;
    private final ConsulClient client;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, ServiceWatch> watches = new HashMap<>();
    private final Map<String, List<ServiceInstance>> views = new HashMap<>();
    private final AtomicBoolean reachable = new AtomicBoolean(true);
    private final java.util.concurrent.atomic.LongAdder failures = new java.util.concurrent.atomic.LongAdder();
    private volatile boolean catalogSeen;
    private volatile boolean closed;
    private volatile Thread catalogThread;
    private volatile Registrar registrar;
    private volatile SelfRegistration published;

    private ConsulRegistry(ConsulSettings settings, ConsulClient client) {
        this.settings = settings;
        this.client = client;
    }

    /**
     * Start watching Consul (in the background: a Consul that cannot be reached only leaves the registry not
     * {@link #ready()}).
     *
     * @param settings settings
     * @return running registry
     */
    public static ConsulRegistry start(ConsulSettings settings) {
        ConsulRegistry registry = new ConsulRegistry(settings, ConsulClient.create(settings));
        registry.catalogThread = Thread.ofVirtual().name("consul-catalog-watch").start(registry::watchCatalog);
        LOGGER.log(System.Logger.Level.INFO, "Consul discovery started: {0}, datacenter {1}, ACL token {2}",
                   settings.url(), settings.datacenter().orElse("of the agent"),
                   registry.client.hasToken() ? "from $" + settings.tokenEnv() : "none ($" + settings.tokenEnv()
                           + " not set)");
        return registry;
    }

    private void watchCatalog() {
        WatchPacing pacing = pacing();
        long index = 0;
        while (!closed) {
            if (!pause(pacing.beforeRequest())) {
                return;
            }
            try {
                ConsulClient.Indexed<JsonObject> answer = client.services(index);
                index = nextIndex(index, answer.index());
                pacing.succeeded();
                succeeded();
                reconcile(answer.value().keySet());
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                failed("catalog", e);
                if (!pause(pacing.failed())) {
                    return;
                }
            }
        }
    }

    /**
     * Start loops for services that appeared, stop those of services that are gone.
     */
    private void reconcile(Set<String> names) {
        lock.lock();
        try {
            for (String name : names) {
                if (!name.equals(CONSUL_SERVICE) && !watches.containsKey(name)) {
                    ServiceWatch watch = new ServiceWatch(name);
                    watches.put(name, watch);
                    watch.thread = Thread.ofVirtual().name("consul-watch-" + name).start(watch);
                }
            }
            for (var it = watches.entrySet().iterator(); it.hasNext(); ) {
                var entry = it.next();
                if (!names.contains(entry.getKey())) {
                    entry.getValue().stop();
                    views.remove(entry.getKey());
                    it.remove();
                }
            }
            catalogSeen = true;
            publish();
        } finally {
            lock.unlock();
        }
    }

    private void accept(ServiceWatch watch, List<ServiceInstance> instances) {
        lock.lock();
        try {
            if (watches.get(watch.service) != watch) {
                return;
            }
            views.put(watch.service, instances);
            watch.seen = true;
            publish();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Hand the current view to the registry (under the lock); before the first complete view, wait for it.
     */
    private void publish() {
        if (!ready() && (!catalogSeen || watches.values().stream().anyMatch(w -> !w.seen))) {
            return;
        }
        List<ServiceInstance> all = new ArrayList<>();
        views.values().forEach(all::addAll);
        update(all);
    }

    /**
     * The index to send next, as Consul's documentation on blocking queries asks: start over (0) when the index went
     * backwards, and never below 1 after an answer (0 would not block).
     */
    static long nextIndex(long previous, long answered) {
        if (answered < previous) {
            return 0;
        }
        return Math.max(1, answered);
    }

    @Override
    public long failures() {
        return failures.sum();
    }

    private void succeeded() {
        if (reachable.compareAndSet(false, true)) {
            LOGGER.log(System.Logger.Level.INFO, "Consul at {0} answers again", settings.url());
        }
    }

    private void failed(String what, RuntimeException e) {
        failures.increment();
        if (reachable.compareAndSet(true, false)) {
            LOGGER.log(System.Logger.Level.WARNING, "Cannot read {0} from Consul at {1}: {2}; keeping the last view ({3} "
                               + "services), retrying with backoff up to {4}",
                       what, settings.url(), message(e), services().size(), settings.retryMaxDelay());
        } else {
            LOGGER.log(System.Logger.Level.DEBUG, "Consul read of {0} failed again: {1}", what, message(e));
        }
    }

    /**
     * Register the gateway with the Consul agent (when {@code register} is on), in the background, retried with
     * backoff until it succeeds or {@link #deregister()} is called.
     *
     * @param self the gateway instance
     */
    @Override
    public void register(SelfRegistration self) {
        if (!settings.register()) {
            LOGGER.log(System.Logger.Level.INFO, "Consul self-registration is switched off (discovery.consul.register)");
            return;
        }
        if (closed) {
            throw new IllegalStateException("Consul registry is closed");
        }
        deregister();
        JsonObject body = GatewayRegistration.body(self, settings);
        Registrar next = new Registrar(body);
        registrar = next;
        published = new SelfRegistration(body.getString("Name"), body.getString("ID"), body.getString("Address"),
                                         self.port(), self.securePort(), self.healthUrl(), self.statusPageUrl(),
                                         self.metadata());
        next.thread = Thread.ofVirtual().name("consul-register").start(next);
    }

    @Override
    public Optional<SelfRegistration> registration() {
        return Optional.ofNullable(published);
    }

    /**
     * Remove the gateway's registration from the agent ({@code PUT /v1/agent/service/deregister/<id>}). Idempotent.
     */
    @Override
    public void deregister() {
        Registrar current = registrar;
        registrar = null;
        if (current == null) {
            return;
        }
        current.stopped = true;
        current.thread.interrupt();
        try {
            current.thread.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!current.attempted) {
            return;
        }
        try {
            client.deregister(current.id);
            LOGGER.log(System.Logger.Level.INFO, "Deregistered {0} from Consul", current.id);
        } catch (RuntimeException e) {
            LOGGER.log(current.registered ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                       "Cannot deregister {0} from Consul: {1}", current.id, message(e));
        }
    }

    /**
     * Deregister and stop watching. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        deregister();
        closed = true;
        Thread catalog = catalogThread;
        if (catalog != null) {
            catalog.interrupt();
        }
        lock.lock();
        try {
            watches.values().forEach(ServiceWatch::stop);
        } finally {
            lock.unlock();
        }
    }

    private WatchPacing pacing() {
        return new WatchPacing(settings.retryInitialDelay(), settings.retryMaxDelay());
    }

    private static boolean pause(long nanos) {
        if (nanos <= 0) {
            return true;
        }
        try {
            Thread.sleep(Duration.ofNanos(nanos));
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private static String message(RuntimeException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /**
     * The blocking-query loop of one service's health.
     */
    private final class ServiceWatch implements Runnable {
        private final String service;
        private volatile boolean stopped;
        private boolean seen;
        private Thread thread;

        private ServiceWatch(String service) {
            this.service = service;
        }

        @Override
        public void run() {
            WatchPacing pacing = pacing();
            long index = 0;
            while (!stopped && !closed) {
                if (!pause(pacing.beforeRequest())) {
                    return;
                }
                try {
                    ConsulClient.Indexed<JsonArray> answer = client.health(service, index);
                    index = nextIndex(index, answer.index());
                    pacing.succeeded();
                    succeeded();
                    accept(this, ConsulMapping.instances(service, answer.value(), settings.warningStatus()));
                } catch (RuntimeException e) {
                    if (stopped || closed) {
                        return;
                    }
                    failed("service " + service, e);
                    if (!pause(pacing.failed())) {
                        return;
                    }
                }
            }
        }

        private void stop() {
            stopped = true;
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    /**
     * Registers the gateway, retrying with backoff until the agent accepts it.
     */
    private final class Registrar implements Runnable {
        private final JsonObject body;
        private final String id;
        private volatile boolean stopped;
        private volatile boolean attempted;
        private volatile boolean registered;
        private Thread thread;

        private Registrar(JsonObject body) {
            this.body = body;
            this.id = body.getString("ID");
        }

        @Override
        public void run() {
            WatchPacing pacing = pacing();
            while (!stopped) {
                try {
                    // a request that failed may still have registered the gateway: deregister() then tries anyway
                    attempted = true;
                    client.register(body);
                    registered = true;
                    LOGGER.log(System.Logger.Level.INFO, "Registered in Consul as {0} ({1}) at {2}:{3}, HTTP check {4}",
                               body.getString("Name"), id, body.getString("Address"),
                               String.valueOf(body.getInt("Port")),
                               body.getJsonObject("Check").getString("HTTP"));
                    return;
                } catch (RuntimeException e) {
                    if (stopped) {
                        return;
                    }
                    LOGGER.log(pacing.failures() == 0 ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                               "Cannot register {0} in Consul: {1}; retrying", id, message(e));
                    if (!pause(pacing.failed())) {
                        return;
                    }
                }
            }
        }
    }
}
