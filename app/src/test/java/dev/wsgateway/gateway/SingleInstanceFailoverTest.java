package dev.wsgateway.gateway;

import java.time.Duration;

import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

/**
 * A service with one instance (a real Node {@code ws} process): when the gateway loses its connection to that
 * instance while the instance stays up, the session continues on the same instance instead of waiting for another
 * one that will never come. Replay is off here: with it, the "drop" command that killed the connection would be sent
 * again to the new one, kill it too, and end the session as a poison message ({@code PoisonMessageTest}).
 */
class SingleInstanceFailoverTest {
    @Test
    void aDroppedConnectionToTheOnlyInstanceIsRedialled() throws Exception {
        try (NodeUpstream node = NodeUpstream.start();
                TestGateway gw = TestGateway.start(TestGateway.service("single", "/svc", node.port()) + """
                        gateway:
                          failover:
                            timeout: PT5S
                            replay-window: PT0S
                        """);
                JdkClient client = JdkClient.connect(gw.ws("/ws/v1/single/x"))) {
            client.sendText("before");
            assertThat(client.nextText(), is("before"));
            long start = System.nanoTime();
            // the instance destroys this TCP connection without a close frame and keeps running
            client.sendText("drop");
            TestGateway.await(() -> gw.gateway().sessions().sessions().stream().anyMatch(s -> s.failovers() >= 1),
                              Duration.ofSeconds(5), "failed over to the same instance");
            client.sendText("after");
            assertThat(client.nextText(), is("after"));
            // well within the failover timeout: the lost instance is re-dialled after a short backoff
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(5000L - millis, greaterThanOrEqualTo(2000L));
            assertThat(gw.gateway().sessions().size(), is(1));
        }
    }
}
