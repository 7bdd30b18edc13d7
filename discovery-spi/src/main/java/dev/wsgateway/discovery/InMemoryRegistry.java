package dev.wsgateway.discovery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * A registry held as an immutable snapshot that a backend replaces as a whole; listeners are told which services
 * changed. Backends extend or wrap it.
 */
public class InMemoryRegistry implements ServiceRegistry {
    private static final System.Logger LOGGER = System.getLogger(InMemoryRegistry.class.getName());

    private final List<RegistryListener> listeners = new CopyOnWriteArrayList<>();
    private volatile Map<String, List<ServiceInstance>> snapshot = Map.of();
    private volatile boolean ready;
    private volatile Instant lastRefresh;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final LongAdder skipped = new LongAdder();

    /**
     * Replace the whole view (call it after each successful refresh, even when nothing changed: it records the refresh
     * time). Listeners are called (on the caller's thread) when anything changed.
     *
     * @param instances all instances now known
     */
    public final void update(List<ServiceInstance> instances) {
        Map<String, List<ServiceInstance>> next = usable(instances).stream()
                .collect(Collectors.groupingBy(ServiceInstance::serviceId,
                                               Collectors.collectingAndThen(Collectors.toList(), List::copyOf)));
        Map<String, List<ServiceInstance>> previous = snapshot;
        snapshot = Map.copyOf(next);
        lastRefresh = Instant.now();
        ready = true;
        Set<String> changed = new HashSet<>();
        for (String id : previous.keySet()) {
            if (!previous.get(id).equals(next.get(id))) {
                changed.add(id);
            }
        }
        for (String id : next.keySet()) {
            if (!next.get(id).equals(previous.get(id))) {
                changed.add(id);
            }
        }
        if (!changed.isEmpty()) {
            Set<String> view = Set.copyOf(changed);
            for (RegistryListener listener : listeners) {
                try {
                    listener.changed(view);
                } catch (RuntimeException e) {
                    LOGGER.log(System.Logger.Level.WARNING, "Registry listener failed", e);
                }
            }
        }
    }

    /**
     * The instances whose announced routes the gateway can use: one with a {@code serviceUrl} that is not an absolute
     * path (a full URL, a space) is left out, with one WARNING per instance and value (not one per refresh).
     */
    private List<ServiceInstance> usable(List<ServiceInstance> instances) {
        List<ServiceInstance> usable = new ArrayList<>(instances.size());
        Set<String> stillBad = new HashSet<>();
        for (ServiceInstance instance : instances) {
            List<String> problems = ServiceRoute.problems(instance.metadata());
            if (problems.isEmpty()) {
                usable.add(instance);
                continue;
            }
            String what = instance.serviceId() + "/" + instance.instanceId() + " " + problems;
            stillBad.add(what);
            if (warned.add(what)) {
                skipped.increment();
                LOGGER.log(System.Logger.Level.WARNING, "Skipping instance " + Printable.of(instance.serviceId()) + "/"
                        + Printable.of(instance.instanceId()) + ": " + Printable.of(String.join("; ", problems)));
            }
        }
        warned.retainAll(stillBad);
        return usable;
    }

    /**
     * Instances left out because of unusable metadata (counted once per instance and bad value).
     *
     * @return count since start
     */
    @Override
    public long skippedInstances() {
        return skipped.sum();
    }

    @Override
    public List<ServiceInstance> instances(String serviceId) {
        return snapshot.getOrDefault(ServiceInstance.normalizeId(serviceId), List.of());
    }

    @Override
    public Set<String> services() {
        return snapshot.keySet();
    }

    @Override
    public void addListener(RegistryListener listener) {
        listeners.add(listener);
    }

    @Override
    public boolean ready() {
        return ready;
    }

    @Override
    public Optional<Instant> lastRefresh() {
        return Optional.ofNullable(lastRefresh);
    }
}
