package dev.wsgateway.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.wsgateway.gateway.relay.RelaySession;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Replay after a loss when the service streams (a raw service that sends 1 KiB frames without pause and reads what
 * the client sends): its frames, read after a client message was written, look like that message's answer. With
 * {@code replay-acknowledge: answer} (the default) the message is then forgotten and not sent again after the loss;
 * on a route that announces {@code replay-acknowledge: read} it is kept until a gateway ping written after it is
 * answered, so the next connection gets it first.
 */
class ReplayAcknowledgeTest {
    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static RawWsService service;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws IOException {
        service = TEARDOWN.closeAfterAll(RawWsService.start());
        gateway = TEARDOWN.gateway(TestGateway.start(TestGateway.services()
                .numbered("answering", "/raw", "", service.port())
                .numbered("streaming", "/raw", "apiml.routes.ws_v1.replay-acknowledge: read", service.port())
                .yaml() + """
                gateway:
                  failover:
                    replay-window: PT60S
                """));
    }

    @Test
    void byAnswersAStreamMakesTheClientMessageLookAnsweredAndItIsNotSentAgain() throws Exception {
        assertThat("messages the next connection got before the marker", resentAfterLoss("answering"), is(0L));
    }

    @Test
    void byReadingOnlyTheClientMessageIsSentAgainToTheNextConnection() throws Exception {
        assertThat("messages the next connection got before the marker", resentAfterLoss("streaming"), is(1L));
    }

    /**
     * A client message to a streaming service, the service's connection lost once stream frames were read after it,
     * then a marker message after the failover.
     *
     * @return data frames the next connection got before the marker
     */
    private static long resentAfterLoss(String serviceId) throws Exception {
        String path = "/raw/stream/1024";
        try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/" + serviceId + "/stream/1024")) {
            assertThat(client.status(), is(101));
            RawWsService.Conn first = service.takePath(path);
            AtomicLong received = new AtomicLong();
            Thread drain = Thread.ofVirtual().start(() -> {
                try {
                    while (client.read().opcode() != 0x8) {
                        received.incrementAndGet();
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            TestGateway.await(() -> received.get() > 100, Duration.ofSeconds(10), "streaming");
            RelaySession session = gateway.gateway().sessions().sessions().iterator().next();

            client.send(true, 0x2, RawWsService.patternFrame(0, 100));
            TestGateway.await(() -> first.dataFrames() == 1, Duration.ofSeconds(10), "the service read the message");
            // stream frames the gateway reads from now on were written after the message
            long out = session.messagesOut();
            TestGateway.await(() -> session.messagesOut() > out + 10, Duration.ofSeconds(10), "more of the stream");
            first.closeBetweenFrames();

            TestGateway.await(() -> session.failovers() == 1, Duration.ofSeconds(10), "failed over");
            RawWsService.Conn next = service.takePath(path);
            client.send(true, 0x1, "marker".getBytes(StandardCharsets.UTF_8));
            // text frames are not pattern-checked: framesChecked counts the binary ones, which all came before it
            TestGateway.await(() -> next.dataFrames() - next.framesChecked() == 1, Duration.ofSeconds(10),
                              "the marker");
            client.sendClose(1000, "done");
            drain.join(Duration.ofSeconds(10));
            return next.framesChecked();
        }
    }
}
