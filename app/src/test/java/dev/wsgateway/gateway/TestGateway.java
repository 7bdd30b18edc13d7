package dev.wsgateway.gateway;

import java.net.URI;
import java.time.Duration;
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
        StringBuilder yaml = new StringBuilder("""
                discovery:
                  type: static
                  static:
                    services:
                      - serviceId: %s
                        instances:
                """.formatted(serviceId));
        for (int port : ports) {
            yaml.append("""
                              - host: 127.0.0.1
                                port: %d
                                metadata-map:
                                  apiml.routes.ws_v1.gatewayUrl: "ws/v1"
                                  apiml.routes.ws_v1.serviceUrl: "%s"
                    """.formatted(port, serviceUrl));
        }
        return yaml.toString();
    }

    /**
     * Static discovery YAML for several services, one instance each on 127.0.0.1, route {@code ws/v1}.
     */
    static Services services() {
        return new Services();
    }

    static final class Services {
        private final StringBuilder yaml = new StringBuilder("discovery:\n  type: static\n  static:\n    services:\n");

        Services add(String serviceId, int port, String serviceUrl) {
            return add(serviceId, port, serviceUrl, "UP");
        }

        Services add(String serviceId, int port, String serviceUrl, String status) {
            yaml.append("      - serviceId: ").append(serviceId).append('\n')
                    .append("        instances:\n")
                    .append("          - host: 127.0.0.1\n")
                    .append("            port: ").append(port).append('\n')
                    .append("            status: ").append(status).append('\n')
                    .append("            metadata-map:\n")
                    .append("              apiml.routes.ws_v1.gatewayUrl: ws/v1\n")
                    .append("              apiml.routes.ws_v1.serviceUrl: ").append(serviceUrl).append('\n');
            return this;
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
