package dev.wsgateway.discovery.eureka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import com.netflix.discovery.DiscoveryClient;
import dev.wsgateway.discovery.SelfRegistration;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.testsupport.EurekaServerProcess;
import org.junit.jupiter.api.Test;

import static dev.wsgateway.discovery.eureka.EurekaRegistryTest.report;
import static dev.wsgateway.discovery.eureka.EurekaTestSupport.SEED_METADATA;
import static dev.wsgateway.discovery.eureka.EurekaTestSupport.app;
import static dev.wsgateway.discovery.eureka.EurekaTestSupport.await;
import static dev.wsgateway.discovery.eureka.EurekaTestSupport.holds;
import static dev.wsgateway.discovery.eureka.EurekaTestSupport.registry;
import static dev.wsgateway.discovery.eureka.EurekaTestSupport.restRegister;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * Eureka goes away and comes back (own server process: it is restarted).
 */
class EurekaOutageTest {
    private static final Duration FEW_SECONDS = Duration.ofSeconds(10);

    @Test
    void keepsTheLastViewWhileEurekaIsDownAndCatchesUpAfterRestart() throws InterruptedException {
        try (EurekaServerProcess eureka = EurekaServerProcess.start();
                ServiceRegistry registry = registry(eureka.url(), Map.of("registry-loss-grace", "PT4S"))) {
            int javaPort = EurekaServerProcess.freePort();
            DiscoveryClient javaService = EurekaTestSupport.javaService(eureka.url(), "DISCOVERABLECLIENT",
                                                                        "outage-java", javaPort, SEED_METADATA);
            try {
                int gatewayPort = EurekaServerProcess.freePort();
                registry.register(new SelfRegistration("GATEWAY", "outage-gateway", "127.0.0.1", gatewayPort, -1,
                                                       "http://127.0.0.1:" + gatewayPort + "/application/health",
                                                       "http://127.0.0.1:" + gatewayPort + "/application/info",
                                                       Map.of()));
                restRegister(eureka.url(), "STATICAPP", "static-1", 10050, 443, false, SEED_METADATA);
                await(FEW_SECONDS, () -> registry.instances("discoverableclient").size() == 1
                              && registry.instances("staticapp").size() == 1
                              && registry.instances("gateway").size() == 1,
                      () -> "all three in " + registry.services());
                ServiceInstance before = registry.instances("discoverableclient").getFirst();

                eureka.stop();
                // several fetch intervals with every Eureka down: nothing is lost, still ready
                holds(Duration.ofSeconds(4), () -> registry.ready()
                              && registry.instances("discoverableclient").equals(java.util.List.of(before))
                              && registry.instances("staticapp").size() == 1,
                      () -> "view kept while Eureka is down: " + registry.services());

                // from here on, the service must never leave the view: the restarted server forgets every instance
                // until its next heartbeat, and the gateway keeps the lost ones meanwhile (RegistryLossGuard)
                AtomicBoolean absent = new AtomicBoolean();
                AtomicBoolean sampling = new AtomicBoolean(true);
                Thread sampler = Thread.ofVirtual().start(() -> {
                    while (sampling.get()) {
                        if (registry.instances("discoverableclient").isEmpty()) {
                            absent.set(true);
                        }
                        LockSupport.parkNanos(10_000_000);
                    }
                });
                long restarted = System.nanoTime();
                eureka.restart();
                report("Eureka restarted in {0} ms", (System.nanoTime() - restarted) / 1_000_000);
                restRegister(eureka.url(), "NEWAPP", "new-1", 10051, 443, false, SEED_METADATA);
                long seen = await(FEW_SECONDS, () -> registry.instances("newapp").size() == 1,
                                  () -> "new registration after restart: " + registry.services());
                report("New registration seen {0} ms after it was made", seen);
                // heartbeats get 404 from the fresh server and re-register (the test server's 404 fix)
                long back = await(FEW_SECONDS, () -> registry.instances("discoverableclient").size() == 1
                                          && app(eureka.url(), "GATEWAY") != null,
                                  () -> "Netflix-client service and gateway re-registered: " + registry.services());
                report("Heartbeating instances re-registered {0} ms later", back);
                sampling.set(false);
                sampler.join();
                assertThat("the service left the view while Eureka restarted", absent.get(), is(false));
                // the static (REST) one had no heartbeats and is gone with the old server: kept for the grace period
                // at most, then the view follows Eureka
                await(FEW_SECONDS, () -> registry.instances("staticapp").isEmpty(),
                      () -> "the instance that did not register again is dropped: " + registry.services());
            } finally {
                javaService.shutdown();
            }
        }
    }
}
