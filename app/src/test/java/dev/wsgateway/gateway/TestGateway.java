package dev.wsgateway.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

/**
 * Starts a real gateway on a free port with a YAML configuration written by the test.
 */
final class TestGateway implements AutoCloseable {
    private final Gateway gateway;

    private TestGateway(Gateway gateway) {
        this.gateway = gateway;
    }

    /**
     * @param yaml configuration (discovery, relay); the server port is forced to a free one and the demo is off
     */
    static TestGateway start(String yaml) {
        Config config = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create("""
                        server:
                          port: 0
                          host: 127.0.0.1
                        demo:
                          echo:
                            enabled: false
                        """, MediaTypes.APPLICATION_X_YAML))
                .addSource(ConfigSources.create(yaml, MediaTypes.APPLICATION_X_YAML))
                .addSource(ConfigSources.classpath("application.yaml"))
                .build();
        return new TestGateway(Gateway.start(config));
    }

    /**
     * A static-discovery YAML snippet for one service with instances on the given ports (all UP, plain ws).
     */
    static String service(String serviceId, String serviceUrl, int... ports) {
        return services().add(serviceId, serviceUrl, ports).yaml();
    }

    /**
     * Eureka discovery YAML with the tests' timings (fetch every second, heartbeat every second, lease 3 s).
     *
     * @param serviceUrl the Eureka server's URL
     * @param register   whether the gateway registers itself
     */
    static String eureka(String serviceUrl, boolean register) {
        return """
                discovery:
                  type: eureka
                  eureka:
                    service-url: %s
                    fetch-interval: PT1S
                    lease-renewal-interval: PT1S
                    lease-expiration: PT3S
                    register: %s
                """.formatted(serviceUrl, register);
    }

    /**
     * Static discovery YAML for services on 127.0.0.1, route {@code ws/v1}.
     */
    static Services services() {
        return new Services();
    }

    static final class Services {
        private final StringBuilder yaml = new StringBuilder("discovery:\n  type: static\n  static:\n    services:\n");

        /**
         * A service with one UP instance.
         */
        Services add(String serviceId, int port, String serviceUrl) {
            return add(serviceId, port, serviceUrl, "UP");
        }

        Services add(String serviceId, int port, String serviceUrl, String status) {
            return service(serviceId, serviceUrl, status, false, false, "", port);
        }

        /**
         * A service with UP instances on the given ports.
         */
        Services add(String serviceId, String serviceUrl, int... ports) {
            return service(serviceId, serviceUrl, "UP", false, false, "", ports);
        }

        /**
         * A service with one UP instance reached over wss.
         */
        Services secure(String serviceId, int port, String serviceUrl) {
            return service(serviceId, serviceUrl, "UP", true, false, "", port);
        }

        /**
         * A service with UP instances on the given ports, with instance ids {@code i0, i1, ...} and a metadata line
         * of the test's in each ({@code key: value}, or empty).
         */
        Services numbered(String serviceId, String serviceUrl, String extraMetadata, int... ports) {
            return service(serviceId, serviceUrl, "UP", false, true, extraMetadata, ports);
        }

        /**
         * A service block written by the test, indented as a list item under {@code services:} (6 spaces).
         */
        Services block(String serviceBlock) {
            yaml.append(serviceBlock);
            return this;
        }

        String yaml() {
            return yaml.toString();
        }

        private Services service(String serviceId, String serviceUrl, String status, boolean secure, boolean numbered,
                                 String extraMetadata, int... ports) {
            yaml.append("      - serviceId: ").append(serviceId).append('\n')
                    .append("        instances:\n");
            for (int i = 0; i < ports.length; i++) {
                yaml.append("          - host: 127.0.0.1\n")
                        .append("            port: ").append(ports[i]).append('\n')
                        .append("            status: ").append(status).append('\n');
                if (numbered) {
                    yaml.append("            instanceId: i").append(i).append('\n');
                }
                if (secure) {
                    yaml.append("            secure: true\n");
                }
                yaml.append("            metadata-map:\n")
                        .append("              apiml.routes.ws_v1.gatewayUrl: ws/v1\n")
                        .append("              apiml.routes.ws_v1.serviceUrl: ").append(serviceUrl).append('\n');
                if (!extraMetadata.isEmpty()) {
                    yaml.append("              ").append(extraMetadata).append('\n');
                }
            }
            return this;
        }
    }

    Gateway gateway() {
        return gateway;
    }

    int port() {
        return gateway.port();
    }

    URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + port() + path);
    }

    URI http(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /**
     * Wait until no session is listed (every session has fully ended), or fail.
     */
    void awaitNoSessions(Duration timeout) {
        await(() -> gateway.sessions().size() == 0, timeout, "sessions still active: " + gateway.sessions().sessions());
    }

    /**
     * The listed sessions, id to path (with the query), once there are this many, or fail.
     */
    Map<String, String> sessionPaths(int count) {
        await(() -> gateway.sessions().size() == count, Duration.ofSeconds(20), count + " sessions listed");
        Map<String, String> paths = new HashMap<>();
        gateway.sessions().sessions().forEach(s -> paths.put(s.info().id(), s.info().gatewayPath()));
        return paths;
    }

    static void await(BooleanSupplier condition, Duration timeout, String message) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out: " + message);
            }
            LockSupport.parkNanos(10_000_000);
        }
    }

    @Override
    public void close() {
        gateway.stop();
    }
}
