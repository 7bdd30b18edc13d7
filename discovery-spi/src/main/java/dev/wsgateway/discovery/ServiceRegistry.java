package dev.wsgateway.discovery;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a discovery backend offers the gateway: the instances of each service, kept current by the backend.
 * Implementations are thread-safe and answer from memory (never block on the network in a lookup).
 */
public interface ServiceRegistry extends AutoCloseable {

    /**
     * All known instances of a service, whatever their status.
     *
     * @param serviceId service id, case-insensitive
     * @return instances, empty if the service is unknown
     */
    List<ServiceInstance> instances(String serviceId);

    /**
     * Ids (lower case) of all services known now.
     *
     * @return service ids
     */
    Set<String> services();

    /**
     * Register a listener called after the registry changed.
     *
     * @param listener listener
     */
    void addListener(RegistryListener listener);

    /**
     * Whether the registry has its first complete view (for readiness).
     *
     * @return {@code true} once the registry can be trusted
     */
    default boolean ready() {
        return true;
    }

    /**
     * When the registry last replaced its view after a successful refresh (for the discovery age metric).
     *
     * @return time of the last successful refresh, empty if none yet or the backend does not track it
     */
    default Optional<Instant> lastRefresh() {
        return Optional.empty();
    }

    /**
     * Failed reads of the backend since start (a registry fetch, a query), for the discovery failure counter; a
     * backend that cannot fail (static configuration) answers 0.
     *
     * @return failures
     */
    default long failures() {
        return 0;
    }

    /**
     * Instances left out because their metadata cannot be used (a {@code serviceUrl} that is not an absolute path),
     * each counted once per bad value.
     *
     * @return instances skipped since start
     */
    default long skippedInstances() {
        return 0;
    }

    /**
     * Announce the gateway itself, for backends that register it (Eureka). Called once the server listens.
     *
     * @param self the gateway instance
     */
    default void register(SelfRegistration self) {
    }

    /**
     * The gateway's own entry as this backend publishes it: app (service) name and instance id after the backend's own
     * settings (such as {@code discovery.eureka.app-name}), so the gateway can find its peers (the other instances of
     * its app) and tell itself apart from them. Still answers after {@link #deregister()}.
     *
     * @return the published registration, empty when the backend does not register the gateway (static discovery,
     *         {@code register: false}) or before {@link #register(SelfRegistration)}
     */
    default Optional<SelfRegistration> registration() {
        return Optional.empty();
    }

    /**
     * Withdraw the gateway's own registration (called first on shutdown). Must be idempotent.
     */
    default void deregister() {
    }

    /**
     * Stop background work. Must be idempotent.
     */
    @Override
    default void close() {
    }
}
