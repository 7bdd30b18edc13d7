package dev.wsgateway.discovery.consul;

/**
 * A Consul request failed: refused, timed out, answered with an error status, or with a body that is not Consul's.
 * The message names the request and the status, never a header (so never the ACL token).
 */
final class ConsulException extends RuntimeException {
    ConsulException(String message) {
        super(message);
    }
}
