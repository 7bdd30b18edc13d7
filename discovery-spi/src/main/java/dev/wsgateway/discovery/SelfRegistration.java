package dev.wsgateway.discovery;

import java.util.Map;

/**
 * The gateway as it announces itself to a discovery backend that supports registration.
 *
 * @param appName       application name (e.g. {@code GATEWAY})
 * @param instanceId    unique instance id
 * @param host          host name others reach the gateway at
 * @param port          plain port, or {@code -1} when plain is switched off
 * @param securePort    TLS port, or {@code -1} when TLS is off
 * @param healthUrl     absolute URL of the health endpoint
 * @param statusPageUrl absolute URL of a status page
 * @param metadata      metadata to publish
 */
public record SelfRegistration(String appName,
                               String instanceId,
                               String host,
                               int port,
                               int securePort,
                               String healthUrl,
                               String statusPageUrl,
                               Map<String, String> metadata) {
    public SelfRegistration {
        metadata = Map.copyOf(metadata == null ? Map.of() : metadata);
    }
}
