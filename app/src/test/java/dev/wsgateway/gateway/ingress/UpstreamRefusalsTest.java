package dev.wsgateway.gateway.ingress;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.wsgateway.gateway.http.Refusal;
import dev.wsgateway.gateway.upstream.ConnectFailure;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Every {@link ConnectFailure} has its row of the error table: status, error name, and {@code Retry-After} from the
 * setting on every 503.
 */
class UpstreamRefusalsTest {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(7);

    private record Row(ConnectFailure failure, int status, String error, Map<String, String> headers) {
    }

    @Test
    void eachFailureHasItsRow() {
        Map<String, String> later = Map.of("Retry-After", "7");
        List<Row> rows = List.of(
                new Row(new ConnectFailure.UnknownService("echo"), 404, "unknown_service", Map.of()),
                new Row(new ConnectFailure.UnknownRoute("echo", "ws/v2", ""), 404, "unknown_route", Map.of()),
                new Row(new ConnectFailure.UnknownInstance("echo", "x"), 404, "unknown_instance", Map.of()),
                new Row(new ConnectFailure.InstanceUnavailable("echo", "x", "DOWN"), 503, "instance_unavailable",
                        later),
                new Row(new ConnectFailure.NoInstance("echo"), 503, "no_instance", later),
                new Row(new ConnectFailure.NoOtherInstance("echo"), 503, "no_instance", later),
                new Row(new ConnectFailure.Refused("a"), 502, "upstream_refused", Map.of()),
                new Row(new ConnectFailure.UnknownHost("a"), 502, "upstream_unknown_host", Map.of()),
                new Row(new ConnectFailure.TimedOut("a"), 504, "upstream_timeout", Map.of()),
                new Row(new ConnectFailure.TlsFailed("a", "PKIX"), 502, "upstream_tls", Map.of()),
                new Row(new ConnectFailure.Broken("a"), 502, "upstream_io", Map.of()),
                new Row(new ConnectFailure.BadAnswer("a", "sent junk"), 502, "upstream_handshake", Map.of()),
                new Row(new ConnectFailure.Incompatible("a"), 502, "upstream_handshake", Map.of()),
                new Row(new ConnectFailure.Rejected("a", 401, Optional.of("Basic realm=\"svc\"")), 401,
                        "unauthorized", Map.of("WWW-Authenticate", "Basic realm=\"svc\"")),
                new Row(new ConnectFailure.Rejected("a", 401, Optional.empty()), 401, "unauthorized", Map.of()),
                new Row(new ConnectFailure.Rejected("a", 403, Optional.empty()), 403, "forbidden", Map.of()),
                new Row(new ConnectFailure.Rejected("a", 404, Optional.empty()), 502, "upstream_rejected", Map.of()),
                new Row(new ConnectFailure.Rejected("a", 200, Optional.empty()), 502, "upstream_rejected", Map.of()),
                new Row(new ConnectFailure.Rejected("a", 503, Optional.empty()), 502, "upstream_handshake",
                        Map.of()));
        for (Row row : rows) {
            Refusal refusal = UpstreamRefusals.refusal(row.failure(), RETRY_AFTER);
            assertThat(row.failure().toString(), refusal.status(), is(row.status()));
            assertThat(row.failure().toString(), refusal.error(), is(row.error()));
            assertThat(row.failure().toString(), refusal.headers(), is(row.headers()));
            assertThat(refusal.getMessage(), is(row.failure().message()));
        }
    }

    @Test
    void retryAfterIsWholeSecondsAndAtLeastOne() {
        assertThat(UpstreamRefusals.refusal(new ConnectFailure.NoInstance("echo"), Duration.ofMillis(300)).headers(),
                   is(Map.of("Retry-After", "1")));
        assertThat(UpstreamRefusals.refusal(new ConnectFailure.NoInstance("echo"), Duration.ofMillis(2900)).headers(),
                   is(Map.of("Retry-After", "2")));
    }
}
