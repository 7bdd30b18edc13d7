package dev.wsgateway.gateway;

import java.io.IOException;
import java.io.StringReader;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.wsgateway.discovery.Discovery;
import dev.wsgateway.discovery.SelfRegistration;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.gateway.demo.EchoService;
import dev.wsgateway.testsupport.EurekaServerProcess;
import dev.wsgateway.testsupport.JdkClient;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Scale-out as the README shows it: Debian's HAProxy, run with {@code docs/examples/haproxy.cfg} (addresses replaced),
 * in front of two packaged gateways (processes) that share one real Eureka server. Clients spread over both; one
 * gateway gets SIGTERM: its clients keep working through the drain period, then get 1001, reconnect through HAProxy and
 * land on the other gateway, whose cluster view shows every session there.
 */
class ScaleOutIT {
    private static final System.Logger LOGGER = System.getLogger(ScaleOutIT.class.getName());
    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    private static final Path EXAMPLE = Path.of("../docs/examples/haproxy.cfg");
    private static final int CLIENTS = 10;
    private static final Duration DRAIN = Duration.ofSeconds(5);

    @Test
    void aGatewayThatStopsHandsItsClientsToTheOtherThroughHaproxy(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(HAPROXY), "HAProxy is not installed (Debian: apt-get install haproxy)");
        List<AutoCloseable> resources = new ArrayList<>();
        List<JdkClient> clients = new ArrayList<>();
        try {
            EurekaServerProcess eureka = EurekaServerProcess.start();
            resources.add(eureka);
            EchoService echo = EchoService.start("127.0.0.1", 0);
            resources.add(echo::stop);
            ServiceRegistry echoRegistration = register(eureka, echo.port());
            resources.add(echoRegistration);

            Path config = dir.resolve("gateway.yaml");
            Files.writeString(config, ("""
                    gateway:
                      instance:
                        host: 127.0.0.1
                    """ + ClusterSecret.yaml("") + """
                      shutdown:
                        drain-period: PT%dS
                      security:
                        limits:
                          # behind HAProxy in tcp mode every client has HAProxy's address: limited there instead
                          max-sessions-per-client: 0
                          handshake-rate: 0
                    demo:
                      echo:
                        enabled: false
                    """).formatted(DRAIN.toSeconds()) + TestGateway.eureka(eureka.url(), true));
            int[] ports = {PackagedGateway.freePort(), PackagedGateway.freePort()};
            int[] management = {PackagedGateway.freePort(), PackagedGateway.freePort()};
            PackagedGateway[] gateways = new PackagedGateway[2];
            for (int i = 0; i < 2; i++) {
                gateways[i] = PackagedGateway.start(Map.of("SERVER_PORT", String.valueOf(ports[i]),
                                                           "GATEWAY_MANAGEMENT_PORT", String.valueOf(management[i])),
                                                    List.of(config.toString()), "scale-out-" + (i + 1) + ".log");
                resources.add(gateways[i]);
            }
            String[] ids = {"127.0.0.1:gateway:" + ports[0], "127.0.0.1:gateway:" + ports[1]};
            for (int i = 0; i < 2; i++) {
                // two JVMs starting beside a Eureka server on a busy 2-core machine: up to a minute and more
                PackagedGateway.awaitReady(management[i], Duration.ofSeconds(120));
                int port = management[i];
                TestGateway.await(() -> gatewaysAnswering(port) == 2
                                          && instances(port).contains("\"serviceId\":\"echo\""),
                                  Duration.ofSeconds(30), "gateway " + ids[i] + " sees the other and the echo service");
            }

            int front = PackagedGateway.freePort();
            Process haproxy = startHaproxy(dir, front, ports, management);
            resources.add(() -> stop(haproxy));
            awaitListening(front);

            for (int i = 0; i < CLIENTS; i++) {
                clients.add(open(front, "c" + i));
            }
            // the cluster view of either gateway: which gateway holds which client
            Map<String, String> before = holders(cluster(management[1]));
            assertThat(before.toString(), before.size(), is(CLIENTS));
            List<Integer> onFirst = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                if (before.get("/ws/v1/echo/c" + i).equals(ids[0])) {
                    onFirst.add(i);
                }
            }
            LOGGER.log(System.Logger.Level.INFO,
                       "scale-out: " + onFirst.size() + " of " + CLIENTS + " clients on " + ids[0]);
            // round robin spread them over both gateways
            assertThat(before.toString(), onFirst.size(), greaterThanOrEqualTo(2));
            assertThat(before.toString(), onFirst.size(), lessThan(CLIENTS - 1));

            long sigterm = System.nanoTime();
            gateways[0].process().destroy();
            // draining: its sessions still relay
            for (int i : onFirst) {
                clients.get(i).sendText("draining c" + i);
                assertThat(clients.get(i).nextText(), is("draining c" + i));
            }
            for (int i : onFirst) {
                JdkClient.Received close = clients.get(i).awaitClose(DRAIN.plusSeconds(15));
                long millis = (System.nanoTime() - sigterm) / 1_000_000;
                LOGGER.log(System.Logger.Level.INFO,
                           "scale-out: c" + i + " got " + close.closeCode() + " " + millis + " ms after SIGTERM");
                assertThat(close.closeCode(), is(1001));
                assertThat("c" + i + " closed after " + millis + " ms", millis,
                           greaterThanOrEqualTo(DRAIN.toMillis() - 100));
                assertThat("c" + i + " closed after " + millis + " ms", millis, lessThan(DRAIN.toMillis() + 8_000));
                // reconnect through HAProxy: the stopping gateway is out of its balancing by now
                long reconnect = System.nanoTime();
                JdkClient again = open(front, "c" + i);
                LOGGER.log(System.Logger.Level.INFO, "scale-out: c" + i + " reconnected and echoed in "
                                           + (System.nanoTime() - reconnect) / 1_000_000 + " ms");
                clients.set(i, again);
            }
            LOGGER.log(System.Logger.Level.INFO, "scale-out: " + onFirst.size() + " clients got 1001 after "
                                       + (System.nanoTime() - sigterm) / 1_000_000 + " ms and reconnected");
            assertThat(gateways[0].process().waitFor(15, TimeUnit.SECONDS), is(true));
            // the drain is in the stopped gateway's log (the JDK's own shutdown hook no longer closes the log first)
            String stoppedLog = Files.readString(gateways[0].log());
            assertThat(stoppedLog, containsString("shutting down: draining " + onFirst.size() + " sessions"));
            assertThat(stoppedLog, containsString("Deregistered from Eureka"));
            assertThat(stoppedLog, containsString(" closed after "));
            // the others never noticed
            for (int i = 0; i < CLIENTS; i++) {
                clients.get(i).sendText("after c" + i);
                assertThat(clients.get(i).nextText(), is("after c" + i));
            }
            // the survivor's cluster view: every client there, the stopped gateway gone from discovery
            TestGateway.await(() -> gatewaysAnswering(management[1]) == 1
                                      && cluster(management[1]).getJsonArray("missing").isEmpty(),
                              Duration.ofSeconds(30), "the stopped gateway leaves the survivor's cluster view");
            Map<String, String> after = holders(cluster(management[1]));
            assertThat(after.toString(), after.size(), is(CLIENTS));
            assertThat(after.toString(), Map.copyOf(after).values().stream().distinct().toList(), is(List.of(ids[1])));
        } finally {
            for (JdkClient client : clients) {
                client.close();
            }
            for (int i = resources.size() - 1; i >= 0; i--) {
                resources.get(i).close();
            }
        }
    }

    /**
     * HAProxy on the committed example, the example's addresses replaced by the test's.
     */
    private static Process startHaproxy(Path dir, int front, int[] ports, int[] management) throws IOException {
        String example = Files.readString(EXAMPLE);
        Map<String, String> replacements = new HashMap<>();
        replacements.put("bind :10000", "bind 127.0.0.1:" + front);
        replacements.put("10.0.0.11:10010 check port 10090", "127.0.0.1:" + ports[0] + " check port " + management[0]);
        replacements.put("10.0.0.12:10010 check port 10090", "127.0.0.1:" + ports[1] + " check port " + management[1]);
        String cfg = example;
        for (Map.Entry<String, String> r : replacements.entrySet()) {
            assertThat("the example names " + r.getKey(), cfg.contains(r.getKey()), is(true));
            cfg = cfg.replace(r.getKey(), r.getValue());
        }
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg);
        Path log = Path.of(System.getProperty("gateway.jar")).resolveSibling("scale-out-haproxy.log");
        return new ProcessBuilder(HAPROXY.toString(), "-db", "-f", file.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static void awaitListening(int port) {
        TestGateway.await(() -> {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(10), "HAProxy listening on " + port);
    }

    /**
     * The echo service, registered in Eureka by the Netflix client (with heartbeats) as ECHO.
     */
    private static ServiceRegistry register(EurekaServerProcess eureka, int port) {
        ServiceRegistry registry = Discovery.create("eureka", Config.just(ConfigSources.create("""
                service-url: %s
                fetch-interval: PT1S
                lease-renewal-interval: PT1S
                """.formatted(eureka.url()), MediaTypes.APPLICATION_X_YAML)));
        registry.register(new SelfRegistration("ECHO", null, "127.0.0.1", port, -1,
                                               "http://127.0.0.1:" + port + "/health", "http://127.0.0.1:" + port + "/",
                                               Map.of("apiml.routes.ws_v1.gatewayUrl", "ws/v1",
                                                      "apiml.routes.ws_v1.serviceUrl", "/echo")));
        return registry;
    }

    private static JdkClient open(int port, String name) throws Exception {
        JdkClient client = JdkClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws/v1/echo/" + name));
        client.sendText("hello " + name);
        assertThat(client.nextText(), is("hello " + name));
        return client;
    }

    private static JsonObject cluster(int managementPort) {
        try (JsonReader reader = Json.createReader(new StringReader(
                PackagedGateway.get(managementPort, "/application/websockets?scope=cluster")))) {
            return reader.readObject();
        } catch (Exception e) {
            throw new AssertionError("cluster view of the gateway on " + managementPort, e);
        }
    }

    /**
     * How many gateways answered in the cluster view of this one ({@code -1} while it does not answer).
     */
    private static int gatewaysAnswering(int managementPort) {
        try {
            return cluster(managementPort).getJsonArray("gateways").size();
        } catch (AssertionError e) {
            return -1;
        }
    }

    private static String instances(int managementPort) {
        try {
            return PackagedGateway.get(managementPort, "/application/instances");
        } catch (Exception e) {
            return "";
        }
    }

    /**
     * Gateway path of each session, to the gateway holding it.
     */
    private static Map<String, String> holders(JsonObject cluster) {
        return cluster.getJsonArray("sessions").getValuesAs(JsonObject.class).stream()
                .collect(Collectors.toMap(s -> s.getString("gatewayPath"), s -> s.getString("gateway")));
    }
}
