package dev.wsgateway.gateway.config;

import java.time.Duration;
import java.util.Optional;

import io.helidon.common.config.Config;

/**
 * How the gateway runs as a server: discovery backend, management port, shutdown, self-registration, and the demo
 * echo service.
 *
 * @param discoveryType           {@code discovery.type}: {@code static}, {@code eureka}, or another provider's name
 * @param managementPort          {@code gateway.management.port}: the observe endpoints' own port, empty for none
 * @param managementHost          {@code gateway.management.host}, else {@code server.host}
 * @param drainPeriod             {@code gateway.shutdown.drain-period}: how long open sessions may finish on shutdown
 * @param instanceHost            {@code gateway.instance.host}: the host name announced to discovery, empty for the
 *                                local host name
 * @param clientReceiveBufferSize {@code gateway.relay.client-receive-buffer-size}: SO_RCVBUF of the listeners
 * @param demoEcho                {@code demo.echo.enabled}: run the demo echo service in the same process
 * @param demoHost                {@code demo.echo.host}
 * @param demoPort                {@code demo.echo.port}
 */
public record ServerSettings(String discoveryType,
                             Optional<Integer> managementPort,
                             String managementHost,
                             Duration drainPeriod,
                             Optional<String> instanceHost,
                             int clientReceiveBufferSize,
                             boolean demoEcho,
                             String demoHost,
                             int demoPort) {
    /**
     * Read from the root configuration; missing keys take the documented defaults.
     *
     * @param root root node
     * @return settings
     */
    public static ServerSettings create(Config root) {
        return new ServerSettings(
                root.get("discovery.type").asString().orElse("static"),
                root.get("gateway.management.port").asInt().asOptional(),
                root.get("gateway.management.host").asString()
                        .orElseGet(() -> root.get("server.host").asString().orElse("0.0.0.0")),
                root.get("gateway.shutdown.drain-period").as(Duration.class).orElse(Duration.ofSeconds(5)),
                root.get("gateway.instance.host").asString().asOptional(),
                // Helidon sets SO_RCVBUF 4096 on the listener unless told otherwise, which accepted sockets inherit
                // (no kernel autotuning): large messages then crawl in 4 KiB segments
                root.get("gateway.relay.client-receive-buffer-size").asInt().orElse(4 * 1024 * 1024),
                root.get("demo.echo.enabled").asBoolean().orElse(false),
                root.get("demo.echo.host").asString().orElse("127.0.0.1"),
                root.get("demo.echo.port").asInt().orElse(10011));
    }
}
