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
 * @param portsFile               {@code gateway.ports-file}: where the gateway writes the address of its observe
 *                                endpoints once it listens (for a container health check), empty for nowhere
 */
public record ServerSettings(String discoveryType,
                             Optional<Integer> managementPort,
                             String managementHost,
                             Duration drainPeriod,
                             Optional<String> instanceHost,
                             int clientReceiveBufferSize,
                             boolean demoEcho,
                             String demoHost,
                             int demoPort,
                             Optional<java.nio.file.Path> portsFile) {
    /** The keys read here. */
    public static final ConfigKeys KEYS = ConfigKeys.union(java.util.List.of(
            ConfigKeys.of("discovery", "type"),
            ConfigKeys.of("gateway", "management.port", "management.host", "shutdown.drain-period", "instance.host",
                          "relay.client-receive-buffer-size", "ports-file"),
            ConfigKeys.of("demo.echo", "enabled", "host", "port")));
    /**
     * Read from the root configuration; missing keys take the documented defaults.
     *
     * @param root root node
     * @return settings
     */
    public static ServerSettings create(Config root) {
        return new ServerSettings(
                root.get("discovery.type").asString().map(String::trim).filter(s -> !s.isEmpty()).orElse("static"),
                root.get("gateway.management.port").exists()
                        ? Optional.of(Values.integer(root.get("gateway.management.port"), 0, 0, 65535, "port"))
                        : Optional.empty(),
                root.get("gateway.management.host").asString()
                        .orElseGet(() -> root.get("server.host").asString().orElse("0.0.0.0")),
                Values.duration(root.get("gateway.shutdown.drain-period"), Duration.ofSeconds(5), true),
                root.get("gateway.instance.host").asString().map(String::trim).filter(s -> !s.isEmpty()),
                // Helidon sets SO_RCVBUF 4096 on the listener unless told otherwise, which accepted sockets inherit
                // (no kernel autotuning): large messages then crawl in 4 KiB segments
                Values.integer(root.get("gateway.relay.client-receive-buffer-size"), 4 * 1024 * 1024, 1024,
                               Integer.MAX_VALUE, "bytes"),
                Values.bool(root.get("demo.echo.enabled"), false),
                root.get("demo.echo.host").asString().orElse("127.0.0.1"),
                Values.integer(root.get("demo.echo.port"), 10011, 0, 65535, "port"),
                root.get("gateway.ports-file").asString().map(String::trim).filter(s -> !s.isEmpty())
                        .map(java.nio.file.Path::of));
    }
}
