package dev.wsgateway.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * A poison message: one Node {@code ws} instance destroys its connection when it reads {@code drop} and echoes
 * everything else. A client sends {@code m0} (echoed), then {@code drop}, then {@code after} 0–100 ms later. The
 * gateway sends {@code drop} again once after the loss (it was unanswered); that kills the next connection too, so
 * the client is closed with 1011 and the documented reason. Every session must either echo {@code after} or be
 * closed with a documented code within a few seconds: before the fix, what the resumed session wrote was not
 * remembered, and in about half the sessions {@code after} was lost with the second connection and the session
 * stayed open without an answer.
 */
class PoisonMessageTest {
    private static final int SESSIONS = Integer.getInteger("poison.sessions", 20);
    private static final String POISON_REASON = "A message sent again after the loss of its instance was unanswered "
            + "when the next was lost too; it is not sent again";
    private static final System.Logger LOGGER = System.getLogger(PoisonMessageTest.class.getName());

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    @Test
    void everySessionEchoesTheFollowUpOrIsClosedWithADocumentedCode() throws Exception {
        NodeUpstream node = TEARDOWN.closeAfterAll(NodeUpstream.start());
        TestGateway gw = TEARDOWN.gateway(TestGateway.start(TestGateway.service("poison", "/svc", node.port()) + """
                gateway:
                  failover:
                    timeout: PT5S
                """));
        List<Future<String>> outcomes = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < SESSIONS; i++) {
                int n = i;
                outcomes.add(threads.submit(() -> session(gw, n)));
            }
            Map<String, Integer> counts = new TreeMap<>();
            for (Future<String> outcome : outcomes) {
                counts.merge(outcome.get(60, TimeUnit.SECONDS), 1, Integer::sum);
            }
            LOGGER.log(System.Logger.Level.INFO, SESSIONS + " sessions with a poison message: " + counts);
            int ok = counts.getOrDefault("echoed", 0) + counts.getOrDefault("1011 poison", 0);
            assertThat("sessions that echoed the follow-up or were closed with 1011 (" + counts + ")", ok,
                       is(SESSIONS));
        }
    }

    private static String session(TestGateway gw, int n) throws Exception {
        try (JdkClient client = JdkClient.connect(gw.ws("/ws/v1/poison/s" + n))) {
            client.sendText("m0");
            assertThat(client.nextText(), is("m0"));
            client.sendText("drop");
            Thread.sleep(ThreadLocalRandom.current().nextInt(101));
            long start = System.nanoTime();
            try {
                client.sendText("after");
            } catch (Exception e) {
                // closed meanwhile: the close is what the client gets
            }
            JdkClient.Received received;
            try {
                received = client.next();
            } catch (AssertionError e) {
                return "nothing within 10 s";
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (millis > 8_000) {
                return "later than 8 s";
            }
            if ("after".equals(received.text())) {
                return "echoed";
            }
            if (received.isClose() && received.closeCode() == 1011 && POISON_REASON.equals(received.closeReason())) {
                return "1011 poison";
            }
            return received.isClose() ? "close " + received.closeCode() + " " + received.closeReason()
                    : "other " + received;
        }
    }
}
