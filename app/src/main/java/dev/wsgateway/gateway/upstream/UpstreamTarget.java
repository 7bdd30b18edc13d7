package dev.wsgateway.gateway.upstream;

import java.net.URI;

import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRoute;

/**
 * One instance a session may be relayed to, and the URI to open there.
 *
 * @param instance the instance
 * @param route    the route it announced for the requested {@code ws/vN}
 * @param uri      {@code ws://} or {@code wss://} URI: instance, service URL, remaining path, query
 */
public record UpstreamTarget(ServiceInstance instance, ServiceRoute route, URI uri) {
}
