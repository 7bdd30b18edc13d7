package dev.wsgateway.gateway.ingress;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.wsgateway.gateway.http.Refusal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GatewayPathTest {
    private static GatewayPath parse(String raw) {
        return GatewayPath.parse(raw).orElseThrow(() -> new AssertionError("not a gateway path: " + raw));
    }

    @Test
    void seedForm() {
        assertThat(parse("/ws/v1/discoverableclient/chat/room1"),
                   is(new GatewayPath("discoverableclient", "ws/v1", "chat/room1")));
    }

    @Test
    void zoweForm() {
        assertThat(parse("/discoverableclient/ws/v1/chat/room1"),
                   is(new GatewayPath("discoverableclient", "ws/v1", "chat/room1")));
    }

    @ParameterizedTest
    @CsvSource({
            "/ws/v1/echo, ''",
            "/ws/v1/echo/, ''",
            "/echo/ws/v2, ''",
            "/ws/v1/echo/a/, a/",
            "/ws/v1/echo/a//b, a/b",
            "/ws/v1/echo//a///b//, a/b/",
            "/ws/v1/echo/./a/./b/., a/b",
            "/ws/v1/echo/a/b/../c, a/c",
            "/ws/v1/echo/a/b/../../c, c",
            "/ws/v1/echo/a/.., ''",
            "/ws/v1/echo/a/%2e%2E/b, b",
            "/ws/v1/echo/a/%2e/b, a/b",
            "/echo/ws/v1/x/../y/, y/",
            "/ws/v1/echo/caf%C3%A9/A%20B, caf%C3%A9/A%20B"
    })
    void theRemainderIsNormalisedAndStaysEncoded(String raw, String remainder) {
        assertThat(raw, parse(raw).remainder(), is(remainder));
    }

    @Test
    void serviceIdAndVersionAreLowerCasedTheRemainderIsNot() {
        assertThat(parse("/ws/V12/Echo-Service_1.x/Room/A"), is(new GatewayPath("echo-service_1.x", "ws/v12", "Room/A")));
        assertThat(parse("/ECHO/ws/V3/X"), is(new GatewayPath("echo", "ws/v3", "X")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/ws/v1/echo/..",
            "/ws/v1/echo/../other",
            "/ws/v1/echo/a/../..",
            "/ws/v1/echo/%2e%2e",
            "/ws/v1/echo/.%2E/x",
            "/echo/ws/v1/../../admin",
            "/ws/v1/echo/a/./../../b"
    })
    void traversalAboveTheRouteIsRefused(String raw) {
        Refusal refusal = assertThrows(Refusal.class, () -> GatewayPath.parse(raw));
        assertThat(refusal.status(), is(400));
        assertThat(refusal.error(), is("bad_path"));
        assertThat(refusal.getMessage(), is("Path leaves the service route"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/ws/v1/echo/a%2Fb", "/ws/v1/echo/a%2fb", "/ws/v1/echo/a%5Cb", "/ws/v1/echo/a%00b",
            "/echo/ws/v1/%2F"})
    void encodedSeparatorsAreRefused(String raw) {
        Refusal refusal = assertThrows(Refusal.class, () -> GatewayPath.parse(raw));
        assertThat(refusal.status(), is(400));
        assertThat(refusal.error(), is("bad_path"));
        assertThat(refusal.getMessage(), is("Path contains an encoded separator"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/ws/v1/echo/a%", "/ws/v1/echo/a%2", "/ws/v1/echo/%zz", "/ws/v1/echo/%2g/x",
            "/ws/v1/echo/%%41"})
    void invalidPercentEncodingIsRefused(String raw) {
        Refusal refusal = assertThrows(Refusal.class, () -> GatewayPath.parse(raw));
        assertThat(refusal.status(), is(400));
        assertThat(refusal.error(), is("bad_path"));
        assertThat(refusal.getMessage(), is("Invalid percent-encoding in path"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ws/v1/echo", "/", "/ws", "/ws/v1", "/ws/v1/", "/ws/1/echo", "/ws/version1/echo",
            "/ws/v12345/echo", "/ws/v/echo", "/ws/vv1/echo", "/ws/v1x/echo", "/ws/v1/_echo", "/ws/v1/ech%20o",
            "/ws/v1/ech!o", "/ws/V1/écho", "/WS/v1/echo", "/echo/WS/v1", "/echo/ws", "/api/v1/echo", "/ws/v1/-echo",
            "/ws/v1/ec%68o", "/health", "/metrics"})
    void otherPathsAreNotGatewayPaths(String raw) {
        assertThat(raw, GatewayPath.parse(raw), is(Optional.empty()));
    }

    @Test
    void versionsAndServiceIdsAtTheirLimitsAreGatewayPaths() {
        String longest = "a" + "b".repeat(127);
        assertThat(GatewayPath.parse("/ws/V1234/" + longest + "/x").map(GatewayPath::serviceId), is(Optional.of(longest)));
        assertThat(GatewayPath.parse("/ws/v9/" + longest + "c"), is(Optional.empty()));
        assertThat(GatewayPath.parse("/Z9._~-a/ws/v0/x").map(GatewayPath::gatewayUrl), is(Optional.of("ws/v0")));
    }

    @Test
    void nullIsNotAGatewayPath() {
        assertThat(GatewayPath.parse(null), is(Optional.empty()));
    }
}
