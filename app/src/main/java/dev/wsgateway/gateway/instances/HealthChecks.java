package dev.wsgateway.gateway.instances;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.discovery.ServiceRoute;
import dev.wsgateway.gateway.config.HealthCheckSettings;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.tls.Tls;
import io.helidon.webclient.websocket.WsClient;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

/**
 * Active health checks: at each service's interval, every UP instance of a service with checks enabled gets a
 * WebSocket opened to its first announced route (or the configured path) with Helidon's WebSocket client, optionally
 * a ping answered by a pong, then a close. At most one check runs per instance; results go to {@link InstanceHealth}.
 * Nothing is started when no service has checks enabled.
 */
public final class HealthChecks implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(HealthChecks.class.getName());
    private static final long TICK_MILLIS = 100;
    private static final String CLOSE_REASON = "health check";

    private final HealthCheckSettings settings;
    private final ServiceRegistry registry;
    private final InstanceHealth health;
    private final Tls tls;
    private final ScheduledExecutorService timer;
    private final Map<String, Long> nextDue = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Map<Duration, WsClient> clients = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private HealthChecks(HealthCheckSettings settings, ServiceRegistry registry, InstanceHealth health, Tls tls) {
        this.settings = settings;
        this.registry = registry;
        this.health = health;
        this.tls = tls;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("wsgateway-health-checks").factory());
    }

    /**
     * Start checking, if any service has checks enabled.
     *
     * @param settings which services, how often, thresholds
     * @param registry discovery (the instances to check)
     * @param health   where results go
     * @param tls      client TLS for {@code wss} instances
     * @return the running checks, empty when checks are off everywhere
     */
    public static Optional<HealthChecks> start(HealthCheckSettings settings, ServiceRegistry registry,
                                               InstanceHealth health, Tls tls) {
        if (!settings.anyEnabled()) {
            return Optional.empty();
        }
        HealthChecks checks = new HealthChecks(settings, registry, health, tls);
        checks.timer.scheduleWithFixedDelay(checks::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        return Optional.of(checks);
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            for (String serviceId : registry.services()) {
                HealthCheckSettings.Check check = settings.check(serviceId);
                if (!check.enabled()) {
                    continue;
                }
                List<ServiceInstance> instances = registry.instances(serviceId);
                Set<String> ids = new HashSet<>();
                for (ServiceInstance instance : instances) {
                    ids.add(instance.instanceId());
                    if (instance.isUp()) {
                        due(instance, check, now);
                    }
                }
                health.retain(serviceId, ids);
                String prefix = serviceId + "/";
                nextDue.keySet().removeIf(k -> k.startsWith(prefix) && !ids.contains(k.substring(prefix.length())));
            }
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "health check round failed", e);
        }
    }

    private void due(ServiceInstance instance, HealthCheckSettings.Check check, long now) {
        String key = instance.serviceId() + "/" + instance.instanceId();
        Long due = nextDue.get(key);
        if ((due != null && now - due < 0) || !running.add(key)) {
            return;
        }
        Optional<URI> uri = uri(instance, check);
        if (uri.isEmpty()) {
            running.remove(key);
            nextDue.put(key, now + check.interval().toNanos());
            return;
        }
        Thread.ofVirtual().name("wsgateway-health-" + key).start(() -> {
            try {
                String failure = check(uri.get(), check);
                if (!closed) {
                    health.record(instance.serviceId(), instance.instanceId(), check.unhealthyThreshold(),
                                  check.healthyThreshold(), failure == null, failure == null ? "" : failure);
                }
            } finally {
                nextDue.put(key, System.nanoTime() + check.interval().toNanos());
                running.remove(key);
            }
        });
    }

    /**
     * The URI a check opens: the configured path, else the service URL of the instance's first route.
     */
    static Optional<URI> uri(ServiceInstance instance, HealthCheckSettings.Check check) {
        Optional<String> path = check.path().or(() -> ServiceRoute.fromMetadata(instance.metadata()).stream()
                .findFirst()
                .map(ServiceRoute::serviceUrl)
                .map(p -> p.isEmpty() ? "/" : p));
        return path.map(p -> URI.create((instance.secure() ? "wss" : "ws") + "://" + instance.authority() + p));
    }

    /**
     * One check.
     *
     * @return {@code null} when it passed, else why it failed
     */
    private String check(URI uri, HealthCheckSettings.Check check) {
        CompletableFuture<WsSession> opened = new CompletableFuture<>();
        CompletableFuture<Void> pong = new CompletableFuture<>();
        WsListener listener = new WsListener() {
            @Override
            public void onOpen(WsSession session) {
                opened.complete(session);
                if (check.ping()) {
                    session.ping(BufferData.create(CLOSE_REASON.getBytes(StandardCharsets.US_ASCII)));
                }
            }

            @Override
            public void onPong(WsSession session, BufferData buffer) {
                pong.complete(null);
            }

            @Override
            public void onClose(WsSession session, int status, String reason) {
                pong.completeExceptionally(new IllegalStateException("closed " + status));
            }

            @Override
            public void onError(WsSession session, Throwable t) {
                pong.completeExceptionally(t);
            }
        };
        long start = System.nanoTime();
        try {
            client(check.timeout()).connect(uri, listener);
        } catch (RuntimeException e) {
            return "connect to " + uri + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + firstLine(e.getMessage()));
        }
        WsSession session = null;
        try {
            long left = check.timeout().toNanos() - (System.nanoTime() - start);
            session = opened.get(Math.max(left, 1), TimeUnit.NANOSECONDS);
            if (check.ping()) {
                left = check.timeout().toNanos() - (System.nanoTime() - start);
                pong.get(Math.max(left, 1), TimeUnit.NANOSECONDS);
            }
            return null;
        } catch (TimeoutException e) {
            return (session == null ? "no open" : "no pong") + " within " + check.timeout().toMillis() + " ms";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            return "connection to " + uri + " failed: " + firstLine(String.valueOf(e.getCause()));
        } finally {
            WsSession toClose = session != null ? session : opened.getNow(null);
            if (toClose != null) {
                try {
                    toClose.close(1000, CLOSE_REASON);
                } catch (RuntimeException ignored) {
                    // the instance is gone already
                }
            }
        }
    }

    private WsClient client(Duration timeout) {
        return clients.computeIfAbsent(timeout, t -> WsClient.builder()
                .connectTimeout(t)
                .readTimeout(t)
                .tls(tls)
                .build());
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
    }
}
