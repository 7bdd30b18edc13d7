package dev.wsgateway.discovery;

import java.util.Map;
import java.util.Objects;

/**
 * One instance of a service, as discovery announces it.
 *
 * @param serviceId  service id, compared case-insensitively (Eureka upper-cases it); stored in lower case
 * @param instanceId id unique among the instances of the service
 * @param host       host name or address to connect to
 * @param port       port to connect to ({@code wss} port when {@code secure})
 * @param secure     whether the instance speaks TLS ({@code wss})
 * @param status     status reported by discovery
 * @param metadata   flat metadata, keys such as {@code apiml.routes.ws_v1.gatewayUrl}
 */
public record ServiceInstance(String serviceId,
                              String instanceId,
                              String host,
                              int port,
                              boolean secure,
                              InstanceStatus status,
                              Map<String, String> metadata) {

    public ServiceInstance {
        serviceId = normalizeId(serviceId);
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host of an instance of " + serviceId + " must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port of " + serviceId + " at " + host + " must be 1..65535, was " + port);
        }
        instanceId = instanceId == null || instanceId.isBlank() ? host + ":" + serviceId + ":" + port : instanceId;
        status = status == null ? InstanceStatus.UNKNOWN : status;
        metadata = Map.copyOf(metadata == null ? Map.of() : metadata);
    }

    /**
     * The canonical (lower-case, trimmed) form of a service id.
     *
     * @param serviceId service id
     * @return canonical form
     */
    public static String normalizeId(String serviceId) {
        Objects.requireNonNull(serviceId, "serviceId");
        String id = serviceId.trim().toLowerCase(java.util.Locale.ROOT);
        if (id.isEmpty()) {
            throw new IllegalArgumentException("serviceId must not be blank");
        }
        return id;
    }

    /**
     * Whether this instance may receive new sessions.
     *
     * @return {@code true} when {@link InstanceStatus#UP}
     */
    public boolean isUp() {
        return status == InstanceStatus.UP;
    }

    /**
     * {@code host:port} of the instance.
     *
     * @return authority
     */
    public String authority() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
