package dev.wsgateway.gateway;

import java.time.Duration;
import java.util.Arrays;

import dev.wsgateway.gateway.relay.RelaySession;
import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * A message too large to keep for replay (over {@code failover.replay-size}) and the loss of its instance, with two
 * Node {@code ws} instances as OS processes, one killed with SIGKILL: while the message is unanswered the client is
 * closed with 1011 (continuing would lose it silently); once it was answered the session fails over as usual.
 */
class UnkeptMessageFailoverTest {
    private static final String UNSENT_REASON = "A message the lost upstream may not have read was too large to keep "
            + "for replay; the session cannot continue without it";
    private static final int LARGE = 8 * 1024;

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    @Test
    void anUnansweredMessageTooLargeToKeepClosesTheClientWith1011WhenItsInstanceIsLost() throws Exception {
        NodeUpstream a = TEARDOWN.closeAfterAll(NodeUpstream.start());
        NodeUpstream b = TEARDOWN.closeAfterAll(NodeUpstream.start());
        // a service that only listens; its messages wait for a proof of reading longer than the test lasts
        TestGateway gw = gateway("/mute", a, b);
        try (JdkClient client = JdkClient.connect(gw.ws("/ws/v1/unkept/x"))) {
            RelaySession session = session(gw);
            NodeUpstream victim = victim(session, a, b);
            client.sendBinary(large());
            TestGateway.await(() -> victim.bytesReceived("/mute/x") == LARGE, Duration.ofSeconds(10),
                              "the instance received the message");
            victim.kill();
            client.assertClosed(Duration.ofSeconds(10), 1011, is(UNSENT_REASON));
        }
    }

    @Test
    void anAnsweredMessageTooLargeToKeepDoesNotStopTheFailover() throws Exception {
        NodeUpstream a = TEARDOWN.closeAfterAll(NodeUpstream.start());
        NodeUpstream b = TEARDOWN.closeAfterAll(NodeUpstream.start());
        TestGateway gw = gateway("/echo", a, b);
        try (JdkClient client = JdkClient.connect(gw.ws("/ws/v1/unkept/x"))) {
            RelaySession session = session(gw);
            client.sendBinary(large());
            assertThat(Arrays.equals(client.next().binary(), large()), is(true));
            victim(session, a, b).kill();
            TestGateway.await(() -> session.failovers() == 1, Duration.ofSeconds(10), "failed over");
            client.sendText("after");
            assertThat(client.nextText(), is("after"));
        }
    }

    private TestGateway gateway(String serviceUrl, NodeUpstream a, NodeUpstream b) {
        return TEARDOWN.gateway(TestGateway.start(
                TestGateway.services().numbered("unkept", serviceUrl, "", a.port(), b.port()).yaml() + """
                        gateway:
                          failover:
                            replay-size: 1024
                            replay-window: PT60S
                        """));
    }

    /**
     * The test's one session, once it is open.
     */
    private static RelaySession session(TestGateway gw) {
        TestGateway.await(() -> gw.gateway().sessions().size() == 1, Duration.ofSeconds(10), "session open");
        return gw.gateway().sessions().sessions().iterator().next();
    }

    private static NodeUpstream victim(RelaySession session, NodeUpstream a, NodeUpstream b) {
        return session.info().instanceId().equals("i0") ? a : b;
    }

    private static byte[] large() {
        byte[] message = new byte[LARGE];
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) (i * 31);
        }
        return message;
    }
}
