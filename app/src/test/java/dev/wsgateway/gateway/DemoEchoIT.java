package dev.wsgateway.gateway;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/**
 * The demo echo service behind {@code ./run.sh}'s default, through the packaged gateway on its bundled configuration
 * (static discovery of {@code echo} + the demo service), with only the ports and the ping timers overridden: a
 * newcomer's idle session is not declared dead, pings come back with their payload, a close comes back with the
 * client's code and reason, and the first offered subprotocol is accepted.
 */
class DemoEchoIT {
    private static final int PING_INTERVAL_MS = 1000;
    private static final int PONG_TIMEOUT_MS = 1000;

    private static int port;
    private static PackagedGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        port = PackagedGateway.freePort();
        int echoPort = PackagedGateway.freePort();
        gateway = PackagedGateway.start(Map.of("SERVER_PORT", String.valueOf(port),
                                               "DEMO_ECHO_PORT", String.valueOf(echoPort),
                                               "DISCOVERY_STATIC_SERVICES_0_INSTANCES_0_PORT", String.valueOf(echoPort),
                                               "GATEWAY_RELAY_PING_DASH_INTERVAL", "PT" + PING_INTERVAL_MS / 1000.0 + "S",
                                               "GATEWAY_RELAY_PONG_DASH_TIMEOUT", "PT" + PONG_TIMEOUT_MS / 1000.0 + "S"),
                                        List.of(), "demo-echo-it.log");
        PackagedGateway.awaitReady(port);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void anIdleSessionStaysOpenPastTwiceTheDeadPeerTimeout() throws Exception {
        try (RawWsClient client = RawWsClient.connect(port, "/ws/v1/echo/idle")) {
            assertThat(client.status(), is(101));
            client.sendText("before");
            assertThat(client.read().text(), is("before"));
            long idleMillis = 2L * (PING_INTERVAL_MS + PONG_TIMEOUT_MS) + 1500;
            // read() answers the gateway's pings as a client library does; nothing else may arrive while idle.
            // Short read timeouts (shorter than the ping interval) let the loop see the time pass between pings.
            client.setReadTimeout(PING_INTERVAL_MS / 4);
            long end = System.nanoTime() + idleMillis * 1_000_000;
            while (System.nanoTime() < end) {
                try {
                    RawWsClient.Frame frame = client.read();
                    throw new AssertionError("idle session received opcode " + frame.opcode() + ": " + frame.text());
                } catch (java.net.SocketTimeoutException expected) {
                    // idle as it should be
                }
            }
            assertThat("the gateway pinged the idle client (its timers run)", client.gatewayPings(),
                       greaterThanOrEqualTo(2L));
            client.setReadTimeout(10_000);
            client.sendText("after");
            assertThat(client.read().text(), is("after"));
            String sessions = PackagedGateway.get(port, "/application/websockets");
            assertThat(sessions, containsString("/ws/v1/echo/idle"));
            assertThat("the demo instance answered the gateway's pings: no failover", sessions,
                       containsString("\"failovers\":0"));
            assertThat(Files.readString(gateway.log()), not(containsString("did not answer pings")));
            client.sendClose(1000, "done");
            assertThat(client.readUntil(0x8).closeCode(), is(1000));
        }
    }

    @Test
    void aPingIsAnsweredWithAPongCarryingItsPayload() throws Exception {
        try (RawWsClient client = RawWsClient.connect(port, "/ws/v1/echo/ping")) {
            byte[] payload = "are you there? \u00e9".getBytes(StandardCharsets.UTF_8);
            client.send(true, 0x9, payload);
            RawWsClient.Frame pong = client.read();
            assertThat(pong.opcode(), is(0xA));
            assertThat(new String(pong.payload(), StandardCharsets.UTF_8), is("are you there? \u00e9"));
            client.send(true, 0x9, new byte[0]);
            assertThat(client.read().payload().length, is(0));
            client.sendClose(1000, "");
            client.readUntil(0x8);
        }
    }

    @Test
    void aCloseIsAnsweredWithTheClientsCodeAndReason() throws Exception {
        for (int code : new int[] {1000, 1001, 4123}) {
            try (RawWsClient client = RawWsClient.connect(port, "/ws/v1/echo/close" + code)) {
                client.sendText("x");
                assertThat(client.read().text(), is("x"));
                client.sendClose(code, "bye \u00fc " + code);
                RawWsClient.Frame close = client.readUntil(0x8);
                assertThat(close.closeCode(), is(code));
                assertThat(close.closeReason(), is("bye \u00fc " + code));
            }
        }
    }

    @Test
    void theFirstOfferedSubprotocolIsAccepted() throws Exception {
        try (JdkClient client = JdkClient.connect(java.net.URI.create("ws://127.0.0.1:" + port + "/ws/v1/echo/proto"),
                                                  Map.of(), List.of("chat.v2", "chat.v1"))) {
            assertThat(client.subprotocol(), is("chat.v2"));
            client.sendBinary(new byte[] {1, 2, 3});
            assertThat(client.next().binary(), is(new byte[] {1, 2, 3}));
        }
        try (RawWsClient client = RawWsClient.connect(port, "/ws/v1/echo/noproto")) {
            assertThat(client.status(), is(101));
            assertThat(client.headers().get("sec-websocket-protocol"), nullValue());
            client.sendClose(1000, "");
            client.readUntil(0x8);
        }
    }
}
