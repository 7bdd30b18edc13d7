package dev.wsgateway.gateway;

import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The teardown of a test class: what it started for all its tests is closed after them, last started first; the
 * sessions of its gateways must all have ended after each test (a session that outlives its test is a leak).
 * <pre>{@code
 * @RegisterExtension
 * static final Teardown TEARDOWN = new Teardown();
 *
 * @BeforeAll
 * static void start() {
 *     node = TEARDOWN.closeAfterAll(NodeUpstream.start());
 *     gateway = TEARDOWN.gateway(TestGateway.start(...));
 * }
 * }</pre>
 */
final class Teardown implements AfterEachCallback, AfterAllCallback {
    private static final Duration LEAK_WAIT = Duration.ofSeconds(8);

    private final Deque<AutoCloseable> resources = new ConcurrentLinkedDeque<>();
    private final List<TestGateway> gateways = new CopyOnWriteArrayList<>();

    /**
     * Close this after all tests of the class.
     */
    <T extends AutoCloseable> T closeAfterAll(T resource) {
        resources.push(resource);
        return resource;
    }

    /**
     * Close this gateway after all tests, and after each test wait until it has no session left, or fail the test.
     */
    TestGateway gateway(TestGateway gateway) {
        gateways.add(gateway);
        return closeAfterAll(gateway);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (TestGateway gateway : gateways) {
            gateway.awaitNoSessions(LEAK_WAIT);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Exception failed = null;
        for (AutoCloseable resource = resources.poll(); resource != null; resource = resources.poll()) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        gateways.clear();
        if (failed != null) {
            throw failed;
        }
    }
}
