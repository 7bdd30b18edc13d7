package dev.wsgateway.gateway;

import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/**
 * Frames reach each peer whole and valid: the gateway's own pings and closes never land inside a relayed frame, and
 * frames that break RFC 6455 (reserved bits no extension defines, a close reason that is not UTF-8) are refused by
 * the gateway in both directions. Peers on raw sockets check every byte.
 */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FrameIntegrityTest {
    private static final Duration STREAM = Duration.ofSeconds(3);

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static RawWsService service;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        service = TEARDOWN.closeAfterAll(RawWsService.start());
        gateway = TEARDOWN.gateway(TestGateway.start("""
                gateway:
                  failover:
                    enabled: false
                  relay:
                    ping-interval: PT0.2S
                    pong-timeout: PT20S
                    close-timeout: PT2S
                """ + TestGateway.services().add("raw", service.port(), "/raw").yaml()));
    }

    @ParameterizedTest
    @ValueSource(ints = {65536, 1048576})
    void aClientThatOnlyReadsGetsEveryFrameIntactWhileTheGatewayPingsIt(int size) throws Exception {
        try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/raw/stream/" + size)) {
            long frames = readPattern(client, size, 0, STREAM);
            assertThat("gateway pings answered while streaming", client.gatewayPings(), greaterThan(0L));
            assertThat(frames, greaterThan(10L));
            closeAndDrain(client);
        }
    }

    @Test
    void aClientThatPausesReadingAndResumesGetsEveryFrameIntact() throws Exception {
        int size = 65536;
        try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/raw/stream/" + size)) {
            long frames = readPattern(client, size, 0, Duration.ofSeconds(1));
            // the gateway's writes to this client block; its pings wait behind the frame in progress
            Thread.sleep(3000);
            long pingsBefore = client.gatewayPings();
            frames = readPattern(client, size, frames, Duration.ofSeconds(2));
            assertThat("gateway pings after the pause", client.gatewayPings(), greaterThan(pingsBefore));
            assertThat(frames, greaterThan(20L));
            closeAndDrain(client);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {65536, 1048576})
    void aSilentServiceGetsEveryFrameIntactWhileTheGatewayPingsIt(int size) throws Exception {
        String path = "/ws/v1/raw/sink/" + size;
        try (RawWsClient client = RawWsClient.connect(gateway.port(), path)) {
            RawWsService.Conn conn = service.await("/sink/" + size);
            long sent = 0;
            long end = System.nanoTime() + STREAM.toNanos();
            while (System.nanoTime() < end) {
                client.send(true, 0x2, RawWsService.patternFrame(sent, size));
                sent++;
            }
            long total = sent;
            TestGateway.await(() -> conn.framesChecked() == total || !conn.problems().isEmpty(),
                              Duration.ofSeconds(10), "service checked " + conn.framesChecked() + " of " + total);
            assertThat(conn.problems().toString(), is("{}"));
            assertThat(conn.framesChecked(), is(total));
            assertThat("gateway pings the silent service received", conn.pingsSeen(), greaterThan(0L));
            client.sendClose(1000, "done");
            assertThat(client.readUntil(0x8).closeCode(), is(1000));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"c203616263", "a203616263", "9203616263", "c900"})
    void reservedBitsFromTheServiceWithoutAnExtensionCloseTheClientWith1011AndTheServiceWith1002(String frame)
            throws Exception {
        expectServiceFault("/ws/v1/raw/send-hex/" + frame, 1002);
    }

    @ParameterizedTest
    @ValueSource(strings = {"4203616263c003646566", "c900"})
    void withPermessageDeflateRsv1IsRefusedOnContinuationAndControlFrames(String frames) throws Exception {
        // the client offers the extension the service answers (an unoffered one is refused with a 502)
        expectServiceFault("/ws/v1/raw/deflate/send-hex/" + frames, 1002,
                           "Sec-WebSocket-Extensions: permessage-deflate\r\n");
    }

    @Test
    void withPermessageDeflateRsv1OnAMessagesFirstFramePassesUnchanged() throws Exception {
        try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/raw/deflate/send-hex/c203616263",
                                                      "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
            RawWsClient.Frame frame = client.read();
            assertThat(frame.rsv(), is(0x40));
            assertThat(frame.opcode(), is(0x2));
            assertThat(Arrays.equals(frame.payload(), new byte[] {'a', 'b', 'c'}), is(true));
            client.sendClose(1000, "");
            assertThat(client.readUntil(0x8).closeCode(), is(1000));
        }
    }

    @Test
    void aCloseReasonThatIsNotUtf8FromTheServiceClosesTheClientWith1011AndTheServiceWith1007() throws Exception {
        expectServiceFault("/ws/v1/raw/send-hex/880403e8fffe", 1007);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x40, 0x20, 0x10})
    void reservedBitsFromTheClientCloseItWith1002AndTheServiceWith1001(int rsv) throws Exception {
        byte[] frame = RawWsClient.encode(true, 0x2, new byte[] {1, 2, 3}, true);
        frame[0] |= (byte) rsv;
        expectClientFault("rsv" + rsv, frame, 1002);
    }

    @Test
    void aCloseReasonThatIsNotUtf8FromTheClientClosesItWith1007AndTheServiceWith1001() throws Exception {
        byte[] frame = RawWsClient.encode(true, 0x8, HexFormat.of().parseHex("03e8fffe"), true);
        expectClientFault("badclose", frame, 1007);
    }

    private static void expectServiceFault(String path, int codeToService) throws Exception {
        expectServiceFault(path, codeToService, "");
    }

    private static void expectServiceFault(String path, int codeToService, String headers) throws Exception {
        try (RawWsClient client = RawWsClient.connect(gateway.port(), path, headers)) {
            RawWsService.Conn conn = service.await(path.substring("/ws/v1/raw".length()));
            RawWsClient.Frame close = client.readUntil(0x8);
            assertThat(close.closeCode(), is(1011));
            TestGateway.await(conn::ended, Duration.ofSeconds(5), "service connection not ended");
            assertThat(conn.closeCode(), is(codeToService));
        }
    }

    private static void expectClientFault(String name, byte[] frame, int codeToClient) throws Exception {
        try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/raw/sink/" + name)) {
            RawWsService.Conn conn = service.await("/sink/" + name);
            client.sendRaw(frame);
            assertThat(client.readUntil(0x8).closeCode(), is(codeToClient));
            TestGateway.await(conn::ended, Duration.ofSeconds(5), "service connection not ended");
            assertThat(conn.closeCode(), is(1001));
        }
    }

    /**
     * Read data frames for a while, checking each against the service's pattern.
     *
     * @return the number of the next frame expected
     */
    private static long readPattern(RawWsClient client, int size, long first, Duration duration) throws Exception {
        long k = first;
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            RawWsClient.Frame frame = client.read();
            assertThat("frame " + k + " opcode", frame.opcode(), is(0x2));
            assertThat("frame " + k + " rsv", frame.rsv(), is(0));
            assertThat("frame " + k + " fin", frame.fin(), is(true));
            byte[] expected = RawWsService.patternFrame(k, size);
            if (!Arrays.equals(frame.payload(), expected)) {
                throw new AssertionError("frame " + k + " differs at byte "
                                                 + Arrays.mismatch(frame.payload(), expected) + " of " + size);
            }
            k++;
        }
        return k;
    }

    private static void closeAndDrain(RawWsClient client) throws Exception {
        client.sendClose(1000, "enough");
        assertThat(client.readUntil(0x8).closeCode(), is(1000));
    }
}
