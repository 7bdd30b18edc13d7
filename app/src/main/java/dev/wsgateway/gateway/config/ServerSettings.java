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
    private static final String DISCOVERY_TYPE = "static";
    private static final Duration DRAIN_PERIOD = Duration.ofSeconds(5);
    // Helidon sets SO_RCVBUF 4096 on the listener unless told otherwise, which accepted sockets inherit (no kernel
    // autotuning): large messages then crawl in 4 KiB segments
    private static final int CLIENT_RECEIVE_BUFFER_SIZE = 4 * 1024 * 1024;
    private static final boolean DEMO_ECHO = false;
    private static final String DEMO_HOST = "127.0.0.1";
    private static final int DEMO_PORT = 10011;
    /** The keys read here, with their defaults. */
    public static final ConfigKeys KEYS = ConfigKeys.union(java.util.List.of(
            ConfigKeys.of("discovery", "type"),
            ConfigKeys.of("gateway", "management.port", "management.host", "shutdown.drain-period", "instance.host",
                          "relay.client-receive-buffer-size", "ports-file"),
            ConfigKeys.of("demo.echo", "enabled", "host", "port")))
            .withDefault("discovery.type", DISCOVERY_TYPE)
            .withNoDefault("gateway.management.port", "gateway.ports-file")
            .withComputed("gateway.management.host", "server.host")
            .withDefault("gateway.shutdown.drain-period", DRAIN_PERIOD)
            .withComputed("gateway.instance.host", "the machine's host name")
            .withDefault("gateway.relay.client-receive-buffer-size", CLIENT_RECEIVE_BUFFER_SIZE)
            .withDefault("demo.echo.enabled", DEMO_ECHO)
            .withDefault("demo.echo.host", DEMO_HOST)
            .withDefault("demo.echo.port", DEMO_PORT);
    /**
     * Read from the root configuration; missing keys take the documented defaults.
     *
     * @param root root node
     * @return settings
     */
    public static ServerSettings create(Config root) {
        return new ServerSettings(
                root.get("discovery.type").asString().map(String::trim).filter(s -> !s.isEmpty())
                        .orElse(DISCOVERY_TYPE),
                root.get("gateway.management.port").exists()
                        ? Optional.of(Values.integer(root.get("gateway.management.port"), 0, 0, 65535, "port"))
                        : Optional.empty(),
                root.get("gateway.management.host").asString()
                        .orElseGet(() -> root.get("server.host").asString().orElse("0.0.0.0")),
                Values.duration(root.get("gateway.shutdown.drain-period"), DRAIN_PERIOD, true),
                root.get("gateway.instance.host").asString().map(String::trim).filter(s -> !s.isEmpty()),
                Values.integer(root.get("gateway.relay.client-receive-buffer-size"), CLIENT_RECEIVE_BUFFER_SIZE, 1024,
                               Integer.MAX_VALUE, "bytes"),
                Values.bool(root.get("demo.echo.enabled"), DEMO_ECHO),
                root.get("demo.echo.host").asString().orElse(DEMO_HOST),
                Values.integer(root.get("demo.echo.port"), DEMO_PORT, 0, 65535, "port"),
                root.get("gateway.ports-file").asString().map(String::trim).filter(s -> !s.isEmpty())
                        .map(java.nio.file.Path::of));
    }
}
