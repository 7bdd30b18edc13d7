package dev.wsgateway.gateway;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import dev.wsgateway.discovery.SelfRegistration;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.gateway.config.ServerSettings;
import dev.wsgateway.gateway.demo.EchoService;
import dev.wsgateway.gateway.observe.GatewayMetrics;
import dev.wsgateway.gateway.observe.GatewayPeers;
import dev.wsgateway.gateway.relay.SessionRegistry;

import io.helidon.config.Config;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;

/**
 * The running gateway's lifecycle: start the server on the {@link GatewayWiring}, register in discovery, and on
 * {@link #stop()} drain, close the remaining sessions and release everything.
 */
public final class Gateway {
    private static final System.Logger LOGGER = System.getLogger(Gateway.class.getName());

    private final WebServer server;
    private final GatewayWiring wiring;
    private final EchoService demo;

    private Gateway(WebServer server, GatewayWiring wiring, EchoService demo) {
        this.server = server;
        this.wiring = wiring;
        this.demo = demo;
    }

    /**
     * Start the gateway (and the demo echo service when enabled).
     *
     * @param config root configuration
     * @return the running gateway
     */
    public static Gateway start(Config config) {
        GatewayWiring wiring = GatewayWiring.create(config);
        ServerSettings settings = wiring.settings().server();
        EchoService demo = null;
        WebServer server = null;
        try {
            WebServerConfig.Builder builder = WebServer.builder();
            wiring.configure(builder);
            // built (ports, TLS keystores checked) before the demo starts, so that a wrong setting leaves nothing behind
            server = builder.build();
            // Helidon logs a listener that cannot bind and carries on without it: say which port, and stop
            checkFree("server.port", config.get("server.host").asString().orElse("0.0.0.0"),
                      config.get("server.port").asInt().orElse(0));
            for (Config socket : config.get("server.sockets").asNodeList().orElse(List.of())) {
                checkFree(socket.get("port").key().toString(), socket.get("host").asString()
                        .orElseGet(() -> config.get("server.host").asString().orElse("0.0.0.0")),
                          socket.get("port").asInt().orElse(0));
            }
            if (settings.managementPort().isPresent()) {
                checkFree("gateway.management.port", settings.managementHost(), settings.managementPort().get());
            }
            if (settings.demoEcho()) {
                checkFree("demo.echo.port", settings.demoHost(), settings.demoPort());
                demo = EchoService.start(settings.demoHost(), settings.demoPort());
                LOGGER.log(System.Logger.Level.INFO, "demo echo service listening on port " + demo.port());
            }
            server.start();
            if (!server.isRunning()) {
                throw new IllegalStateException("the server did not start (Helidon's SEVERE line above says why)");
            }
            boolean management = settings.managementPort().isPresent();
            LOGGER.log(System.Logger.Level.INFO, "gateway listening on port " + server.port() + ", discovery "
                    + settings.discoveryType() + " with " + wiring.registry().services().size() + " services"
                    + (management ? ", management port " + server.port(GatewayWiring.MANAGEMENT_SOCKET) : ""));
            wiring.register(selfRegistration(settings, server));
            writePortsFile(settings, config.get("server.host").asString().orElse("0.0.0.0"), server);
            return new Gateway(server, wiring, demo);
        } catch (RuntimeException | Error e) {
            // nothing started before the failure may keep the JVM alive
            if (server != null && server.isRunning()) {
                server.stop();
            }
            if (demo != null) {
                demo.stop();
            }
            wiring.close();
            throw e;
        }
    }

    /**
     * How the gateway announces itself to discovery backends that register it (Eureka, Consul): its port, and where
     * its observe endpoints are (the management port when set), for operators and for the other gateways.
     */
    private static SelfRegistration selfRegistration(ServerSettings settings, WebServer server) {
        String host = settings.instanceHost().orElseGet(Gateway::localHostName);
        boolean tls = server.hasTls();
        String observeSocket = settings.managementPort().isPresent() ? GatewayWiring.MANAGEMENT_SOCKET
                : WebServer.DEFAULT_SOCKET_NAME;
        String scheme = server.hasTls(observeSocket) ? "https" : "http";
        String base = scheme + "://" + host + ":" + server.port(observeSocket);
        Map<String, String> metadata = new HashMap<>(GatewayPeers.metadata(scheme, server.port(observeSocket)));
        metadata.put("apiml.service.title", "WebSocket gateway");
        return new SelfRegistration("GATEWAY", null, host, tls ? -1 : server.port(), tls ? server.port() : -1,
                                    base + "/application/health", base + "/application/websockets", metadata);
    }

    /**
     * A port that is taken stops the start with one line naming its key, before anything listens.
     */
    private static void checkFree(String key, String host, int port) {
        if (port <= 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1);
        } catch (IOException e) {
            throw new IllegalStateException(key + " = '" + port + "': cannot listen on " + host + ":" + port + ": "
                                                    + e.getMessage(), e);
        }
    }

    /**
     * {@code gateway.ports-file}: one line {@code <scheme> <host> <port>} of the observe endpoints (the management
     * socket when set), so that a container's health check probes what the gateway really listens on.
     */
    private static void writePortsFile(ServerSettings settings, String serverHost, WebServer server) {
        if (settings.portsFile().isEmpty()) {
            return;
        }
        boolean management = settings.managementPort().isPresent();
        String socket = management ? GatewayWiring.MANAGEMENT_SOCKET : WebServer.DEFAULT_SOCKET_NAME;
        String bound = management ? settings.managementHost() : serverHost;
        String host = bound.equals("0.0.0.0") || bound.equals("::") || bound.isBlank() ? "127.0.0.1" : bound;
        java.nio.file.Path file = settings.portsFile().get();
        try {
            java.nio.file.Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            java.nio.file.Files.writeString(temp, (server.hasTls(socket) ? "https" : "http") + " " + host + " "
                    + server.port(socket) + "\n");
            java.nio.file.Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                                     java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("gateway.ports-file: cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    public int port() {
        return server.port();
    }

    /**
     * Port of a named socket ({@code server.sockets}).
     *
     * @param socket socket name
     * @return its port, -1 when there is no such socket
     */
    public int port(String socket) {
        return server.port(socket);
    }

    /**
     * Port of the observe endpoints ({@code /application/...}): the management port when configured, else the
     * gateway port.
     *
     * @return port
     */
    public int managementPort() {
        return wiring.settings().server().managementPort().isPresent()
                ? server.port(GatewayWiring.MANAGEMENT_SOCKET)
                : server.port();
    }

    public SessionRegistry sessions() {
        return wiring.sessions();
    }

    public ServiceRegistry registry() {
        return wiring.registry();
    }

    public GatewayMetrics metrics() {
        return wiring.metrics();
    }

    /**
     * Stop: refuse new sessions (503, readiness DOWN) and withdraw from discovery, let open sessions finish for the
     * drain period, close the rest with 1001, then stop the server and the demo service.
     */
    public void stop() {
        SessionRegistry sessions = wiring.sessions();
        sessions.startDraining();
        // the drain period counts from here: withdrawing from discovery (network calls) is part of it
        long drainEnd = System.nanoTime() + wiring.settings().server().drainPeriod().toNanos();
        wiring.registry().deregister();
        int open = sessions.size();
        if (open > 0) {
            LOGGER.log(System.Logger.Level.INFO, "shutting down: draining " + open + " sessions for up to "
                    + Math.max(0, (drainEnd - System.nanoTime()) / 1_000_000) + " ms");
            awaitSessions(drainEnd);
            sessions.sessions().forEach(session -> session.close(false));
            awaitSessions(System.nanoTime() + wiring.settings().relay().closeTimeout().plusSeconds(1).toNanos());
        }
        server.stop();
        wiring.close();
        if (demo != null) {
            demo.stop();
        }
    }

    private void awaitSessions(long deadline) {
        while (wiring.sessions().size() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(20_000_000);
        }
    }
}
