package dev.wsgateway.discovery;

import java.util.Set;

/**
 * Told when the instances of some services changed (added, removed, or another status).
 */
@FunctionalInterface
public interface RegistryListener {
    /**
     * The registry changed.
     *
     * @param serviceIds ids (lower case) of the services whose instances changed
     */
    void changed(Set<String> serviceIds);
}
