package dev.wsgateway.gateway.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRoute;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class UpgradeRequestTest {
    private static final String OWN_HEADERS = "Connection: Upgrade\r\n"
            + "Upgrade: websocket\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n"
            + "\r\n";

    private static UpstreamTarget target(String host, String uri) {
        ServiceInstance instance = new ServiceInstance("echo", "echo-1", host, 8080, false, InstanceStatus.UP, Map.of());
        return new UpstreamTarget(instance, new ServiceRoute("ws_v1", "ws/v1", "/echo/ws"), URI.create(uri));
    }

    private static String request(UpstreamTarget target, Map<String, List<String>> forwarded) {
        return new String(UpgradeRequest.bytes(target, forwarded, "dGhlIHNhbXBsZSBub25jZQ=="),
                          StandardCharsets.ISO_8859_1);
    }

    @Test
    void pathQueryAndForwardedHeadersPassAsTheyAre() {
        Map<String, List<String>> forwarded = new LinkedHashMap<>();
        forwarded.put("Origin", List.of("https://app.example"));
        forwarded.put("Cookie", List.of("a=1; b=2"));
        forwarded.put("X-Trace", List.of("one", "two"));
        String request = request(target("svc.local", "ws://svc.local:8080/echo/ws/a%2Fb/%C3%A9?q=%20x&r=1"), forwarded);
        assertThat(request, is("GET /echo/ws/a%2Fb/%C3%A9?q=%20x&r=1 HTTP/1.1\r\n"
                                       + "Host: svc.local:8080\r\n"
                                       + "Origin: https://app.example\r\n"
                                       + "Cookie: a=1; b=2\r\n"
                                       + "X-Trace: one\r\n"
                                       + "X-Trace: two\r\n"
                                       + OWN_HEADERS));
    }

    @Test
    void gatewayOwnedHeadersAreNeverForwarded() {
        Map<String, List<String>> forwarded = new LinkedHashMap<>();
        forwarded.put("host", List.of("evil"));
        forwarded.put("Sec-WebSocket-Key", List.of("other"));
        forwarded.put("CONNECTION", List.of("close"));
        String request = request(target("::1", "ws://[::1]:8080/echo/ws"), forwarded);
        assertThat(request, is("GET /echo/ws HTTP/1.1\r\n"
                                       + "Host: [::1]:8080\r\n"
                                       + OWN_HEADERS));
    }

    @Test
    void emptyPathIsSlash() {
        assertThat(request(target("h", "ws://h:8080"), Map.of()).startsWith("GET / HTTP/1.1\r\n"), is(true));
    }
}
