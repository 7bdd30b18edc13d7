package dev.wsgateway.gateway;

import java.net.InetAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.Optional;

import dev.wsgateway.discovery.Discovery;
import dev.wsgateway.discovery.SelfRegistration;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.gateway.balancing.ActiveSessions;
import dev.wsgateway.gateway.balancing.BalancingSettings;
import dev.wsgateway.gateway.balancing.Ejections;
import dev.wsgateway.gateway.demo.EchoService;
import dev.wsgateway.gateway.observe.GatewayMetrics;
import dev.wsgateway.gateway.observe.WebSocketsService;
import dev.wsgateway.gateway.relay.FailoverSettings;
import dev.wsgateway.gateway.relay.ProxyUpgrader;
import dev.wsgateway.gateway.relay.Relay;
import dev.wsgateway.gateway.relay.RelayListener;
import dev.wsgateway.gateway.relay.RelaySession;
import dev.wsgateway.gateway.relay.SessionInfo;
import dev.wsgateway.gateway.relay.RelaySettings;
import dev.wsgateway.gateway.relay.SessionRegistry;
import dev.wsgateway.gateway.relay.UpstreamConnector;
import dev.wsgateway.gateway.routing.GatewayPath;
import dev.wsgateway.gateway.routing.RouteResolver;
import dev.wsgateway.gateway.security.GatewaySecurity;
import dev.wsgateway.gateway.security.ServerHardening;
import dev.wsgateway.gateway.security.UpstreamTls;

import io.helidon.config.Config;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.http1.Http1ConnectionSelectorConfig;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.ObserveFeatureConfig;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;

/**
 * The gateway, wired explicitly from configuration: discovery, routing, relay, observability, and the demo echo
 * service when enabled.
 */
public final class Gateway {
    private static final System.Logger LOGGER = System.getLogger(Gateway.class.getName());
    /** Name of the Helidon socket the observe endpoints move to when {@code gateway.management.port} is set. */
    public static final String MANAGEMENT_SOCKET = "management";

    private final WebServer server;
    private final ServiceRegistry registry;
    private final SessionRegistry sessions;
    private final UpstreamConnector connector;
    private final EchoService demo;
    private final Duration drainPeriod;
    private final Duration closeTimeout;
    private final GatewayMetrics metrics;
    private final boolean management;

    private Gateway(WebServer server, ServiceRegistry registry, SessionRegistry sessions, UpstreamConnector connector,
                    EchoService demo, Duration drainPeriod, Duration closeTimeout, GatewayMetrics metrics,
                    boolean management) {
        this.server = server;
        this.registry = registry;
        this.sessions = sessions;
        this.connector = connector;
        this.demo = demo;
        this.drainPeriod = drainPeriod;
        this.closeTimeout = closeTimeout;
        this.metrics = metrics;
        this.management = management;
    }

    /**
     * Start the gateway.
     *
     * @param config root configuration
     * @return the running gateway
     */
    public static Gateway start(Config config) {
        EchoService demo = null;
        if (config.get("demo.echo.enabled").asBoolean().orElse(false)) {
            demo = EchoService.start(config.get("demo.echo.host").asString().orElse("127.0.0.1"),
                                     config.get("demo.echo.port").asInt().orElse(10011));
            LOGGER.log(System.Logger.Level.INFO, "demo echo service listening on port " + demo.port());
        }
        String type = config.get("discovery.type").asString().orElse("static");
        ServiceRegistry registry = Discovery.create(type, config.get("discovery").get(type));

        RelaySettings settings = RelaySettings.create(config.get("gateway.relay"));
        FailoverSettings failover = FailoverSettings.create(config.get("gateway.failover"));
        BalancingSettings balancing = BalancingSettings.create(config.get("gateway.balancing"));
        SessionRegistry sessions = new SessionRegistry(settings);
        ActiveSessions active = new ActiveSessions();
        sessions.addListener(new InstanceCounts(active));
        GatewayMetrics metrics = new GatewayMetrics(Metrics.globalRegistry(), registry);
        sessions.addListener(metrics);
        WebSocketsService webSockets = new WebSocketsService(sessions, settings.closeTimeout());
        sessions.addListener(webSockets);
        GatewaySecurity security = GatewaySecurity.create(config.get("gateway.security"), sessions);
        UpstreamConnector connector = new UpstreamConnector(settings, UpstreamTls.create(config.get("gateway.upstream.tls")));
        RouteResolver resolver = new RouteResolver(registry, balancing.balancer(active));
        Relay relay = new Relay(resolver, connector,
                                new Ejections(balancing.ejectCooldown(), balancing.maxEjectedPercent()),
                                balancing.connectAttempts(), balancing.connectDeadline(), settings, failover, sessions);
        if (failover.migrateOnDrain()) {
            registry.addListener(changed -> migrateDrained(registry, sessions, changed));
        }

        Config http1 = config.get("server.protocols.http_1_1");
        Http1ConnectionSelectorConfig.Builder selectorBuilder = Http1ConnectionSelector.builder()
                .config(http1.exists() ? Http1Config.create(http1) : Http1Config.create());
        // Helidon looks the Upgrade value up as written; the token is case-insensitive (RFC 9110)
        for (String token : List.of("websocket", "WebSocket", "Websocket", "WEBSOCKET")) {
            selectorBuilder.addUpgrader(new ProxyUpgrader(token, relay, security.guard()));
        }
        Http1ConnectionSelector selector = selectorBuilder.build();

        HealthCheck discoveryReady = new HealthCheck() {
            @Override
            public HealthCheckType type() {
                return HealthCheckType.READINESS;
            }

            @Override
            public String name() {
                return "discovery";
            }

            @Override
            public HealthCheckResponse call() {
                return HealthCheckResponse.builder()
                        .status(registry.ready() && !sessions.draining())
                        .detail("type", type)
                        .detail("services", registry.services().size())
                        .build();
            }
        };
        Optional<Integer> managementPort = config.get("gateway.management.port").asInt().asOptional();
        ObserveFeatureConfig.Builder observe = ObserveFeature.builder()
                .endpoint("/application")
                .addObserver(HealthObserver.builder().details(true).addCheck(discoveryReady).build())
                .addObserver(MetricsObserver.builder().meterRegistry(Metrics.globalRegistry()).build());
        managementPort.ifPresent(port -> observe.addSockets(List.of(MANAGEMENT_SOCKET)));

        WebServerConfig.Builder builder = WebServer.builder()
                .config(config.get("server"))
                // Helidon sets SO_RCVBUF 4096 on the listener unless told otherwise, which accepted sockets inherit
                // (no kernel autotuning): large messages then crawl in 4 KiB segments
                .putListenerSocketOption(StandardSocketOptions.SO_RCVBUF,
                                         config.get("gateway.relay.client-receive-buffer-size").asInt()
                                                 .orElse(4 * 1024 * 1024))
                .shutdownHook(false)
                .addFeature(observe.build());
        // the gateway's upgrader, 431 and TLS 1.2+ on the gateway's sockets (not on the management socket)
        ServerHardening.apply(builder, selector);
        if (managementPort.isPresent()) {
            // observe endpoints and the session listing on their own port; the gateway port serves only WebSockets
            String host = config.get("gateway.management.host").asString()
                    .orElseGet(() -> config.get("server.host").asString().orElse("0.0.0.0"));
            builder.putSocket(MANAGEMENT_SOCKET, socket -> socket.port(managementPort.get()).host(host))
                    .routing(MANAGEMENT_SOCKET, routing -> {
                        security.protectObserve(routing);
                        routing.register("/application/websockets", webSockets);
                    })
                    .routing(routing -> routing.any(Gateway::upgradeRequired));
        } else {
            builder.routing(routing -> {
                security.protectObserve(routing);
                routing.register("/application/websockets", webSockets)
                        .any(Gateway::upgradeRequired);
            });
        }
        WebServer server = builder.build().start();
        LOGGER.log(System.Logger.Level.INFO, "gateway listening on port " + server.port() + ", discovery " + type
                + " with " + registry.services().size() + " services"
                + (managementPort.isPresent() ? ", management port " + server.port(MANAGEMENT_SOCKET) : ""));
        registry.register(selfRegistration(config, server, managementPort.isPresent()));
        Duration drainPeriod = config.get("gateway.shutdown.drain-period").as(Duration.class)
                .orElse(Duration.ofSeconds(5));
        return new Gateway(server, registry, sessions, connector, demo, drainPeriod, settings.closeTimeout(), metrics,
                           managementPort.isPresent());
    }

    /**
     * Move sessions off instances that are no longer UP (or gone), when failover is configured to migrate them.
     */
    private static void migrateDrained(ServiceRegistry registry, SessionRegistry sessions, Set<String> changed) {
        for (RelaySession session : sessions.sessions()) {
            SessionInfo info = session.info();
            if (changed.contains(info.serviceId())) {
                boolean up = registry.instances(info.serviceId()).stream()
                        .anyMatch(i -> i.instanceId().equals(info.instanceId()) && i.isUp());
                if (!up) {
                    session.migrate("Instance " + info.instanceId() + " is draining");
                }
            }
        }
    }

    /**
     * Keeps active sessions per instance for the least-sessions balancer.
     */
    private record InstanceCounts(ActiveSessions active) implements RelayListener {
        @Override
        public void sessionOpened(RelaySession session) {
            active.add(session.info().serviceId(), session.info().instanceId());
        }

        @Override
        public void sessionClosed(RelaySession session) {
            active.remove(session.info().serviceId(), session.info().instanceId());
        }

        @Override
        public void failover(RelaySession session, String fromInstance, String toInstance) {
            active.remove(session.info().serviceId(), fromInstance);
            active.add(session.info().serviceId(), toInstance);
        }
    }

    /**
     * How the gateway announces itself to discovery backends that register it (Eureka).
     */
    private static SelfRegistration selfRegistration(Config config, WebServer server, boolean management) {
        String host = config.get("gateway.instance.host").asString().orElseGet(Gateway::localHostName);
        boolean tls = server.hasTls();
        String observeSocket = management ? MANAGEMENT_SOCKET : WebServer.DEFAULT_SOCKET_NAME;
        String base = (server.hasTls(observeSocket) ? "https://" : "http://") + host + ":" + server.port(observeSocket);
        return new SelfRegistration("GATEWAY", null, host, tls ? -1 : server.port(), tls ? server.port() : -1,
                                    base + "/application/health", base + "/application/websockets",
                                    Map.of("apiml.service.title", "WebSocket gateway"));
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /**
     * A plain HTTP request (no {@code Upgrade: websocket}) on a gateway path.
     */
    private static void upgradeRequired(ServerRequest req, ServerResponse res) {
        Optional<GatewayPath> path;
        try {
            path = GatewayPath.parse(req.prologue().uriPath().rawPath());
        } catch (RuntimeException e) {
            path = Optional.empty();
        }
        if (path.isEmpty()) {
            res.next();
            return;
        }
        res.status(Status.BAD_REQUEST_400)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .send("{\"status\":400,\"error\":\"upgrade_required\",\"message\":\"This is a WebSocket route: send a "
                              + "GET with Upgrade: websocket\"}".getBytes(StandardCharsets.UTF_8));
    }

    private void awaitSessions(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (sessions.size() > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(20_000_000);
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
        return management ? server.port(MANAGEMENT_SOCKET) : server.port();
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    public ServiceRegistry registry() {
        return registry;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /**
     * Stop: refuse new sessions (503, readiness DOWN) and withdraw from discovery, let open sessions finish for the
     * drain period, close the rest with 1001, then stop the server and the demo service.
     */
    public void stop() {
        sessions.startDraining();
        registry.deregister();
        int open = sessions.size();
        if (open > 0) {
            LOGGER.log(System.Logger.Level.INFO, "shutting down: draining " + open + " sessions for up to "
                    + drainPeriod.toMillis() + " ms");
            awaitSessions(drainPeriod);
            sessions.sessions().forEach(session -> session.close(false));
            awaitSessions(closeTimeout.plusSeconds(1));
        }
        server.stop();
        sessions.close();
        metrics.close();
        connector.close();
        registry.close();
        if (demo != null) {
            demo.stop();
        }
    }
}
