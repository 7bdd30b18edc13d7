package dev.wsgateway.gateway.observe;

import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

import dev.wsgateway.gateway.upstream.ConnectFailure;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

class HistoryTest {
    @Test
    void keepsTheLastSamplesAtItsIntervalPlusOneTakenNow() {
        try (History history = History.start(Duration.ofMillis(10), 3)) {
            history.handshakeRejected("127.0.0.1", "x", 404, "unknown_service");
            history.handshakeRejected("127.0.0.1", "x", 401, "challenge");
            history.upstreamConnect("x", "i", 1_000, Optional.of(new ConnectFailure.Refused("i")));
            history.upstreamConnect("x", "i", 1_000, Optional.empty());
            // three samples taken (the first at the start), then no more are kept
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (samples(history) < 4 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            JsonObject json = Json.createReader(new StringReader(history.json())).readObject();
            assertThat(json.getJsonNumber("intervalSeconds").doubleValue(), is(0.01));
            List<JsonObject> samples = json.getJsonArray("samples").getValuesAs(JsonObject.class);
            assertThat(samples.size(), is(4));
            JsonObject last = samples.get(3);
            assertThat("a 401 challenge is no refusal", last.getInt("refused"), is(1));
            assertThat(last.getInt("connectFailures"), is(1));
            assertThat(last.getInt("active"), is(0));
            for (int i = 1; i < samples.size(); i++) {
                assertThat(samples.get(i).getString("at").compareTo(samples.get(i - 1).getString("at")),
                           greaterThanOrEqualTo(0));
            }
            assertThat(samples.get(0).getInt("refused"), lessThanOrEqualTo(1));
        }
    }

    private static int samples(History history) {
        return Json.createReader(new StringReader(history.json())).readObject().getJsonArray("samples").size();
    }
}
