package dev.wsgateway.gateway.ingress;

import java.time.Duration;
import java.util.Map;

import dev.wsgateway.gateway.http.Refusal;
import dev.wsgateway.gateway.upstream.ConnectFailure;

/**
 * The HTTP refusal a client gets when its session found no upstream: one row of docs/ERRORS.md per
 * {@link ConnectFailure}. Every 503 carries {@code Retry-After} from {@code gateway.security.limits.retry-after}.
 */
final class UpstreamRefusals {
    private UpstreamRefusals() {
    }

    /**
     * The refusal of a failure.
     *
     * @param failure    why the session got no upstream
     * @param retryAfter the {@code Retry-After} of 503s
     * @return the refusal
     */
    static Refusal refusal(ConnectFailure failure, Duration retryAfter) {
        String message = failure.message();
        return switch (failure) {
        case ConnectFailure.UnknownService f -> new Refusal(404, "unknown_service", message);
        case ConnectFailure.UnknownRoute f -> new Refusal(404, "unknown_route", message);
        case ConnectFailure.UnknownInstance f -> new Refusal(404, "unknown_instance", message);
        case ConnectFailure.InstanceUnavailable f -> later(503, "instance_unavailable", message, retryAfter);
        case ConnectFailure.NoInstance f -> later(503, "no_instance", message, retryAfter);
        case ConnectFailure.NoOtherInstance f -> later(503, "no_instance", message, retryAfter);
        case ConnectFailure.Refused f -> new Refusal(502, "upstream_refused", message);
        case ConnectFailure.UnknownHost f -> new Refusal(502, "upstream_unknown_host", message);
        case ConnectFailure.TimedOut f -> new Refusal(504, "upstream_timeout", message);
        case ConnectFailure.TlsFailed f -> new Refusal(502, "upstream_tls", message);
        case ConnectFailure.Broken f -> new Refusal(502, "upstream_io", message);
        case ConnectFailure.BadAnswer f -> new Refusal(502, "upstream_handshake", message);
        case ConnectFailure.Incompatible f -> new Refusal(502, "upstream_handshake", message);
        case ConnectFailure.Rejected f -> rejected(f);
        };
    }

    /**
     * The service's own refusal of the upgrade: its 401 or 403 (with its challenge) reaches the client, any other
     * status is a 502 ({@code upstream_rejected} for a 4xx or less, which another instance would repeat,
     * {@code upstream_handshake} for a 5xx).
     */
    private static Refusal rejected(ConnectFailure.Rejected f) {
        return switch (f.status()) {
        case 401 -> new Refusal(401, "unauthorized", f.message(),
                                f.challenge().map(c -> Map.of("WWW-Authenticate", c)).orElse(Map.of()));
        case 403 -> new Refusal(403, "forbidden", f.message());
        default -> new Refusal(502, f.status() >= 500 ? "upstream_handshake" : "upstream_rejected", f.message());
        };
    }

    /**
     * A 503 with {@code Retry-After} in whole seconds (at least one).
     */
    static Refusal later(int status, String error, String message, Duration retryAfter) {
        return new Refusal(status, error, message,
                           Map.of("Retry-After", String.valueOf(Math.max(1, retryAfter.toSeconds()))));
    }
}
