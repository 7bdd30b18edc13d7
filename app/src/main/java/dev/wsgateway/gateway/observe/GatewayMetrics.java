package dev.wsgateway.gateway.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.ToLongFunction;

import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.gateway.relay.RelayListener;
import dev.wsgateway.gateway.relay.RelaySession;
import dev.wsgateway.gateway.upstream.ConnectFailure;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

/**
 * The gateway's Prometheus meters, fed by relay events (per session, never per message) and read from discovery and
 * the live session counters at scrape time.
 * <p>
 * Message and byte totals are function counters: the totals of ended sessions (added when a session closes) plus the
 * live counters of the active ones, summed when scraped. A read/write lock per service makes a closing session move
 * from "live" to "ended" atomically for a scrape, so the totals never go down.
 * <p>
 * Meters are registered in the Helidon global registry (the one {@code /application/metrics} shows) once per JVM and
 * never removed: Helidon's registry wraps Micrometer's global composite registry, and removing a meter there and
 * registering it again per gateway is fragile (Micrometer's composite does not visibly propagate a meter removal to its
 * Prometheus child). So the state the meters read is JVM-wide too: several gateways in one JVM (tests) add to the
 * same meters, and the discovery meters follow the gateway started last.
 */
public final class GatewayMetrics implements RelayListener {
    /**
     * Upstream connect histogram buckets (the timer also reports count, sum and max; no client-side quantiles: they
     * cannot be aggregated and a histogram family with {@code quantile} series fails Prometheus' linter).
     */
    private static final Duration[] CONNECT_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10)};

    private static final Map<String, ServiceMeters> SERVICES = new ConcurrentHashMap<>();
    private static final Map<String, Counter> COUNTERS = new ConcurrentHashMap<>();
    private static final Map<String, Timer> TIMERS = new ConcurrentHashMap<>();
    private static final Set<String> DISCOVERY_GAUGES = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean AGE_GAUGE = new AtomicBoolean();
    /** Registries of the gateways running in this JVM; the discovery meters read the newest (one in production). */
    private static final java.util.concurrent.ConcurrentLinkedDeque<ServiceRegistry> DISCOVERIES =
            new java.util.concurrent.ConcurrentLinkedDeque<>();
    /** The newest registry of each discovery backend, read by its failure counters. */
    private static final Map<String, ServiceRegistry> BACKENDS = new ConcurrentHashMap<>();
    private static final Set<String> BACKEND_COUNTERS = ConcurrentHashMap.newKeySet();
    private final ServiceRegistry discovery;

    private final MeterRegistry meters;

    /**
     * Register the meters that exist from the start (discovery) and listen to discovery changes.
     *
     * @param meters    meter registry
     * @param discovery service registry
     */
    public GatewayMetrics(MeterRegistry meters, ServiceRegistry discovery) {
        this(meters, discovery, "static");
    }

    /**
     * Register the meters that exist from the start (discovery) and listen to discovery changes.
     *
     * @param meters        meter registry
     * @param discovery     service registry
     * @param discoveryType its backend ({@code discovery.type}), the {@code backend} label of the failure counter
     */
    public GatewayMetrics(MeterRegistry meters, ServiceRegistry discovery, String discoveryType) {
        this.meters = meters;
        this.discovery = discovery;
        JvmMeters.bindOnce(meters);
        DISCOVERIES.addLast(discovery);
        BACKENDS.put(discoveryType, discovery);
        if (BACKEND_COUNTERS.add(discoveryType)) {
            meters.getOrCreate(FunctionalCounter.builder("wsgateway.discovery.failures", discoveryType,
                                                         type -> BACKENDS.get(type).failures())
                                       .tags(List.of(Tag.create("backend", discoveryType)))
                                       .description("Failed reads of the discovery backend: for Eureka, fetch "
                                                            + "intervals that ended without a registry read"));
            meters.getOrCreate(FunctionalCounter.builder("wsgateway.discovery.instances.skipped", discoveryType,
                                                         type -> BACKENDS.get(type).skippedInstances())
                                       .tags(List.of(Tag.create("backend", discoveryType)))
                                       .description("Instances left out of the view: their serviceUrl is not an "
                                                            + "absolute path (counted once per instance and value)"));
        }
        if (AGE_GAUGE.compareAndSet(false, true)) {
            meters.getOrCreate(Gauge.builder("wsgateway.discovery.last.refresh.age",
                                             GatewayMetrics::lastRefreshAgeSeconds)
                                       .baseUnit("seconds")
                                       .description("Seconds since discovery last refreshed its view successfully "
                                                            + "(-1: never)"));
        }
        discoveryChanged(discovery.services());
        discovery.addListener(this::discoveryChanged);
    }

    @Override
    public void handshakeRejected(String clientHost, String serviceId, int status, String error) {
        // no service label: the requested service id comes from the client and is unbounded
        counter("wsgateway.handshake.rejections", "Handshakes refused with an HTTP status",
                "status", String.valueOf(status), "reason", error).increment();
    }

    @Override
    public void handshakeIncomplete(String clientHost, String outcome) {
        if (outcome.equals("timeout")) {
            counter("wsgateway.handshakes.timed.out", "Connections closed for not sending a complete request head "
                    + "within handshake-timeout").increment();
        } else {
            counter("wsgateway.handshakes.abandoned", "Connections the client closed in the middle of a request")
                    .increment();
        }
    }

    @Override
    public void upstreamConnect(String serviceId, String instanceId, long nanos, Optional<ConnectFailure> failure) {
        String outcome = failure.isEmpty() ? "success" : "failure";
        TIMERS.computeIfAbsent(serviceId + '\n' + outcome, k -> register(
                        Timer.builder("wsgateway.upstream.connect")
                                .description("Time to connect to an instance and receive its 101 (or fail)")
                                .tags(List.of(Tag.create("service", serviceId), Tag.create("outcome", outcome)))
                                .percentiles(new double[0])
                                .buckets(CONNECT_BUCKETS)))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void sessionOpened(RelaySession session) {
        ServiceMeters service = service(session.info().serviceId());
        service.active.put(session.info().id(), session);
        service.opened.increment();
    }

    @Override
    public void sessionClosed(RelaySession session) {
        String serviceId = session.info().serviceId();
        ServiceMeters service = service(serviceId);
        service.lock.writeLock().lock();
        try {
            service.closedMessagesIn += session.messagesIn();
            service.closedMessagesOut += session.messagesOut();
            service.closedBytesIn += session.bytesIn();
            service.closedBytesOut += session.bytesOut();
            service.active.remove(session.info().id());
        } finally {
            service.lock.writeLock().unlock();
        }
        counter("wsgateway.sessions.closed", "Sessions ended, by the close code sent to the client (1006: none)",
                "service", serviceId, "code", String.valueOf(session.closeCodeToClient())).increment();
    }

    @Override
    public void failover(RelaySession session, String fromInstance, String toInstance) {
        service(session.info().serviceId()).failovers.increment();
    }

    private ServiceMeters service(String serviceId) {
        return SERVICES.computeIfAbsent(serviceId, ServiceMeters::new);
    }

    private Counter counter(String name, String description, String... tags) {
        return COUNTERS.computeIfAbsent(name + '\n' + String.join("\n", tags), k -> register(
                Counter.builder(name).description(description).tags(tags(tags))));
    }

    private static List<Tag> tags(String... keyValues) {
        Tag[] tags = new Tag[keyValues.length / 2];
        for (int i = 0; i < tags.length; i++) {
            tags[i] = Tag.create(keyValues[2 * i], keyValues[2 * i + 1]);
        }
        return List.of(tags);
    }

    private <B extends Meter.Builder<B, M>, M extends Meter> M register(B builder) {
        return meters.getOrCreate(builder);
    }

    private static double lastRefreshAgeSeconds() {
        ServiceRegistry current = DISCOVERIES.peekLast();
        if (current == null) {
            return -1.0;
        }
        return current.lastRefresh()
                .map(at -> Duration.between(at, Instant.now()).toMillis() / 1000.0)
                .orElse(-1.0);
    }

    /**
     * The gateway stopped: its discovery view no longer feeds the discovery meters.
     */
    public void close() {
        DISCOVERIES.remove(discovery);
    }

    private void discoveryChanged(Set<String> serviceIds) {
        for (String serviceId : serviceIds) {
            if (DISCOVERY_GAUGES.add(serviceId)) {
                for (InstanceStatus status : InstanceStatus.values()) {
                    register(Gauge.builder("wsgateway.discovery.instances",
                                           () -> instances(serviceId, status))
                                     .description("Instances discovery knows, by service and status")
                                     .tags(tags("service", serviceId, "status", status.name())));
                }
            }
        }
    }

    private static int instances(String serviceId, InstanceStatus status) {
        int n = 0;
        ServiceRegistry current = DISCOVERIES.peekLast();
        for (ServiceInstance instance : current == null ? List.<ServiceInstance>of() : current.instances(serviceId)) {
            if (instance.status() == status) {
                n++;
            }
        }
        return n;
    }

    /**
     * The meters of one service and the totals of its ended sessions.
     */
    private final class ServiceMeters {
        private final Map<String, RelaySession> active = new ConcurrentHashMap<>();
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private final Counter opened;
        private final Counter failovers;
        private long closedMessagesIn;
        private long closedMessagesOut;
        private long closedBytesIn;
        private long closedBytesOut;

        ServiceMeters(String serviceId) {
            register(Gauge.builder("wsgateway.sessions.active", active::size)
                             .description("Active routed sessions (both legs open)")
                             .tags(tags("service", serviceId)));
            opened = register(Counter.builder("wsgateway.sessions.opened")
                                      .description("Routed sessions opened (both legs open)")
                                      .tags(tags("service", serviceId)));
            failovers = register(Counter.builder("wsgateway.failovers")
                                         .description("Live sessions moved to another instance")
                                         .tags(tags("service", serviceId)));
            total("wsgateway.messages", "Messages relayed (in: client to service, out: service to client)",
                  serviceId, "in", s -> s.closedMessagesIn, RelaySession::messagesIn);
            total("wsgateway.messages", "Messages relayed (in: client to service, out: service to client)",
                  serviceId, "out", s -> s.closedMessagesOut, RelaySession::messagesOut);
            total("wsgateway.bytes", "Payload bytes relayed (in: client to service, out: service to client)",
                  serviceId, "in", s -> s.closedBytesIn, RelaySession::bytesIn);
            total("wsgateway.bytes", "Payload bytes relayed (in: client to service, out: service to client)",
                  serviceId, "out", s -> s.closedBytesOut, RelaySession::bytesOut);
        }

        private void total(String name, String description, String serviceId, String direction,
                           ToLongFunction<ServiceMeters> closed, ToLongFunction<RelaySession> live) {
            register(FunctionalCounter.builder(name, this, s -> s.sum(closed, live))
                             .description(description)
                             .tags(tags("service", serviceId, "direction", direction)));
        }

        /**
         * Ended sessions' total plus the live sessions' counters, consistent with a concurrent close.
         */
        private long sum(ToLongFunction<ServiceMeters> closed, ToLongFunction<RelaySession> live) {
            lock.readLock().lock();
            try {
                long sum = closed.applyAsLong(this);
                for (RelaySession session : active.values()) {
                    sum += live.applyAsLong(session);
                }
                return sum;
            } finally {
                lock.readLock().unlock();
            }
        }
    }
}
