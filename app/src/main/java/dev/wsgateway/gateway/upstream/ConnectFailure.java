package dev.wsgateway.gateway.upstream;

import java.util.Optional;

/**
 * Why a session got no upstream, as the connecting code tells the cases apart. {@code ingress} turns it into the
 * client's HTTP refusal, {@code relay} into the close code of a failover that found no instance, and {@link Dialer}
 * decides from its type (never from a message) whether another instance is tried. Messages are safe to show a client:
 * instance ids, never addresses or peer-sent text beyond a status code.
 */
public sealed interface ConnectFailure {
    /**
     * A human message for the client and the log.
     *
     * @return message
     */
    String message();

    /**
     * The instance the failed attempt went to.
     *
     * @return instance id, empty for a failure before any attempt (routing)
     */
    default String instanceId() {
        return "";
    }

    /**
     * A few words naming the kind of failure, from its type alone (no instance id, address or text from the TLS layer
     * or the peer): what the console and {@code /application/instances} show beside an instance.
     *
     * @return e.g. {@code refused}, {@code timed out}, {@code HTTP 503}
     */
    default String reason() {
        return switch (this) {
        case UnknownService f -> "unknown service";
        case UnknownRoute f -> "unknown route";
        case UnknownInstance f -> "unknown instance";
        case InstanceUnavailable f -> "instance unavailable";
        case NoInstance f -> "no instance";
        case NoOtherInstance f -> "no other instance";
        case Refused f -> "refused";
        case UnknownHost f -> "unknown host";
        case TimedOut f -> "timed out";
        case TlsFailed f -> "TLS handshake failed";
        case Broken f -> "connection broken";
        case Rejected f -> "HTTP " + f.status();
        case BadAnswer f -> "bad upgrade answer";
        case Incompatible f -> "incompatible";
        };
    }

    /**
     * No instance of the service is known to discovery.
     *
     * @param serviceId the requested service
     */
    record UnknownService(String serviceId) implements ConnectFailure {
        @Override
        public String message() {
            return "Service '" + serviceId + "' is not known";
        }
    }

    /**
     * No instance of the service announces the requested {@code ws/vN} route (or the requested instance does not).
     *
     * @param serviceId  the requested service
     * @param gatewayUrl the requested route
     * @param instance   the instance the client asked for, empty when none
     */
    record UnknownRoute(String serviceId, String gatewayUrl, String instance) implements ConnectFailure {
        @Override
        public String message() {
            return instance.isEmpty()
                    ? "Service '" + serviceId + "' has no route for " + gatewayUrl
                    : "Instance '" + instance + "' of service '" + serviceId + "' has no route for " + gatewayUrl;
        }
    }

    /**
     * The instance the client named with {@code X-InstanceId} is not one of the service's.
     *
     * @param serviceId the requested service
     * @param instance  the requested instance
     */
    record UnknownInstance(String serviceId, String instance) implements ConnectFailure {
        @Override
        public String message() {
            return "Service '" + serviceId + "' has no instance '" + instance + "'";
        }
    }

    /**
     * The instance the client named is not UP or fails its health checks.
     *
     * @param serviceId the requested service
     * @param instance  the requested instance
     * @param state     its discovery status, or why it is not admitted
     */
    record InstanceUnavailable(String serviceId, String instance, String state) implements ConnectFailure {
        @Override
        public String message() {
            return "Instance '" + instance + "' of service '" + serviceId + "' is " + state;
        }
    }

    /**
     * No instance with the route is UP and passing its health checks.
     *
     * @param serviceId the requested service
     */
    record NoInstance(String serviceId) implements ConnectFailure {
        @Override
        public String message() {
            return "No instance of service '" + serviceId + "' is available";
        }
    }

    /**
     * Every usable instance was excluded by the caller (a failover that already tried them).
     *
     * @param serviceId the requested service
     */
    record NoOtherInstance(String serviceId) implements ConnectFailure {
        @Override
        public String message() {
            return "No other instance of service '" + serviceId + "' is available";
        }
    }

    /**
     * The TCP connection was refused or the host unreachable.
     *
     * @param instanceId the instance
     */
    record Refused(String instanceId) implements ConnectFailure {
        @Override
        public String message() {
            return "Upstream " + instanceId + " refused the connection";
        }
    }

    /**
     * The instance's host name does not resolve.
     *
     * @param instanceId the instance
     */
    record UnknownHost(String instanceId) implements ConnectFailure {
        @Override
        public String message() {
            return "Upstream host of " + instanceId + " is unknown";
        }
    }

    /**
     * No 101 (or refusal) within the attempt's deadline: {@code connect-timeout}, or what was left of
     * {@code connect-deadline} or the failover's timeout.
     *
     * @param instanceId the instance
     */
    record TimedOut(String instanceId) implements ConnectFailure {
        @Override
        public String message() {
            return "Upstream " + instanceId + " did not answer in time";
        }
    }

    /**
     * The TLS handshake failed (certificate, host name, protocol).
     *
     * @param instanceId the instance
     * @param detail     the TLS layer's reason (JDK text, not the peer's)
     */
    record TlsFailed(String instanceId, String detail) implements ConnectFailure {
        @Override
        public String message() {
            return "TLS handshake with upstream " + instanceId + " failed: " + detail;
        }
    }

    /**
     * The connection broke before the end of the answer's head (reset, closed early).
     *
     * @param instanceId the instance
     */
    record Broken(String instanceId) implements ConnectFailure {
        @Override
        public String message() {
            return "Connection to upstream " + instanceId + " failed";
        }
    }

    /**
     * The instance answered the upgrade with another status than 101.
     *
     * @param instanceId the instance
     * @param status     its status code
     * @param challenge  its {@code WWW-Authenticate}, when it sent one
     */
    record Rejected(String instanceId, int status, Optional<String> challenge) implements ConnectFailure {
        @Override
        public String message() {
            return status == 401 || status == 403 ? "Upstream service refused the credentials"
                    : "Upstream " + instanceId + " answered the WebSocket handshake with HTTP " + status;
        }
    }

    /**
     * The answer is not a valid upgrade: a malformed head, or a 101 that breaks the handshake (key, {@code Upgrade},
     * a subprotocol or extension the client did not offer, control characters).
     *
     * @param instanceId the instance
     * @param problem    what is wrong, in the gateway's words
     */
    record BadAnswer(String instanceId, String problem) implements ConnectFailure {
        @Override
        public String message() {
            return "Upstream " + instanceId + " " + problem;
        }
    }

    /**
     * An instance accepted, but the caller could not continue the session there (a failover candidate that
     * negotiated another subprotocol or other extensions).
     *
     * @param instanceId the instance
     */
    record Incompatible(String instanceId) implements ConnectFailure {
        @Override
        public String message() {
            return "Instance " + instanceId + " could not continue the session";
        }
    }
}
