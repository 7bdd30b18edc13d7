package dev.wsgateway.gateway;

import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.wsgateway.discovery.Discovery;
import dev.wsgateway.discovery.SelfRegistration;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.gateway.balancing.Balancers;
import dev.wsgateway.gateway.config.ClusterSettings;
import dev.wsgateway.gateway.config.GatewaySettings;
import dev.wsgateway.gateway.config.SecuritySettings;
import dev.wsgateway.gateway.config.ZoweTokenSettings;
import dev.wsgateway.gateway.config.ServerSettings;
import dev.wsgateway.gateway.ingress.Ingress;
import dev.wsgateway.gateway.instances.ActiveSessions;
import dev.wsgateway.gateway.instances.Ejections;
import dev.wsgateway.gateway.instances.HealthChecks;
import dev.wsgateway.gateway.instances.InstanceHealth;
import dev.wsgateway.gateway.instances.InstanceMigration;
import dev.wsgateway.gateway.observe.AccessLog;
import dev.wsgateway.gateway.observe.ConsoleService;
import dev.wsgateway.gateway.observe.DiscoveryReadiness;
import dev.wsgateway.gateway.observe.GatewayMetrics;
import dev.wsgateway.gateway.observe.GatewayPeers;
import dev.wsgateway.gateway.observe.HealthCheckMetrics;
import dev.wsgateway.gateway.observe.History;
import dev.wsgateway.gateway.observe.InstancesService;
import dev.wsgateway.gateway.observe.PeerClient;
import dev.wsgateway.gateway.observe.WebSocketsService;
import dev.wsgateway.gateway.relay.Relay;
import dev.wsgateway.gateway.relay.RelayListener;
import dev.wsgateway.gateway.relay.RelaySession;
import dev.wsgateway.gateway.relay.SessionRegistry;
import dev.wsgateway.gateway.security.ClusterProof;
import dev.wsgateway.gateway.security.GatewaySecurity;
import dev.wsgateway.gateway.security.ZoweTokenAuthenticator;
import dev.wsgateway.gateway.upstream.Dialer;
import dev.wsgateway.gateway.upstream.RouteResolver;
import dev.wsgateway.gateway.upstream.UpstreamConnector;
import dev.wsgateway.gateway.upstream.UpstreamTls;

import io.helidon.common.tls.Tls;
import io.helidon.config.Config;
import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.ObserveFeatureConfig;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;

/**
 * The gateway's parts, created from configuration and wired explicitly: discovery, balancing, upstream connecting,
 * relay, ingress, security and observability, put on a {@link WebServerConfig.Builder} by {@link #configure}. It
 * starts nothing but discovery and the relay's watchdog; {@link Gateway} runs the server and stops everything.
 */
public final class GatewayWiring {
    /** Name of the Helidon socket the observe endpoints move to when {@code gateway.management.port} is set. */
    public static final String MANAGEMENT_SOCKET = "management";

    private final Config config;
    private final GatewaySettings settings;
    private final ServiceRegistry registry;
    private final SessionRegistry sessions;
    private final GatewayMetrics metrics;
    private final UpstreamConnector connector;
    private final GatewaySecurity security;
    private final Ingress ingress;
    private final WebSocketsService webSockets;
    private final InstancesService instances;
    private final ConsoleService console;
    private final History history;
    private final GatewayPeers peers;
    private final PeerClient peerClient;
    private final Optional<HealthChecks> healthChecks;
    private final Optional<DescriptorBudget> descriptors;

    private GatewayWiring(Config config, GatewaySettings settings, Optional<DescriptorBudget> descriptors,
                          ServiceRegistry registry) {
        this.config = config;
        this.settings = settings;
        this.descriptors = descriptors;
        String type = settings.server().discoveryType();
        this.registry = registry;
        this.sessions = new SessionRegistry(settings.relay());
        ActiveSessions active = new ActiveSessions();
        sessions.addListener(new InstanceCounts(active));
        this.metrics = new GatewayMetrics(Metrics.globalRegistry(), registry, type);
        sessions.addListener(metrics);
        sessions.addListener(new AccessLog());
        ClusterSettings cluster = settings.cluster();
        this.peers = new GatewayPeers(registry, type, cluster.enabled(), cluster.tls());
        Optional<ClusterProof> proof = cluster.enabled()
                ? Optional.of(new ClusterProof(cluster.secret(), cluster.replayWindow()))
                : Optional.empty();
        this.peerClient = new PeerClient(cluster.peerTimeout(), UpstreamTls.create(config.get("gateway.cluster.tls")),
                                         cluster.maxAnswerBytes(), proof);
        this.webSockets = new WebSocketsService(sessions, settings.relay().closeTimeout(), peers, peerClient);
        sessions.addListener(webSockets);
        this.security = GatewaySecurity.create(settings.security(), proof, peers::selfIdentity);
        Tls upstreamTls = UpstreamTls.create(config.get("gateway.upstream.tls"));
        this.connector = new UpstreamConnector(settings.relay().connectTimeout(), upstreamTls);
        InstanceHealth health = new InstanceHealth();
        health.addListener(new HealthCheckMetrics(Metrics.globalRegistry()));
        this.healthChecks = HealthChecks.start(settings.health(), registry, health, upstreamTls);
        Ejections ejections = new Ejections(settings.balancing().ejectCooldown(),
                                            settings.balancing().maxEjectedPercent());
        this.instances = new InstancesService(registry, active, health, ejections, peers, peerClient);
        sessions.addListener(instances);
        this.history = History.start();
        sessions.addListener(history);
        this.console = ConsoleService.create(history, type, registry);
        Dialer dialer = new Dialer(new RouteResolver(registry, Balancers.create(settings.balancing(), active), health,
                                                     settings.affinity()),
                                   connector,
                                   ejections,
                                   sessions,
                                   new Dialer.ConnectPolicy(settings.balancing().connectAttempts(),
                                                            settings.balancing().connectDeadline(),
                                                            Duration.ofMillis(50), Duration.ofSeconds(1)));
        Relay relay = new Relay(settings.relay(), settings.failover(), sessions, dialer);
        if (settings.failover().migrateOnDrain()) {
            InstanceMigration.listen(registry, health, active, (serviceId, instanceId, reason) -> sessions.sessions()
                    .stream()
                    .filter(s -> s.info().serviceId().equals(serviceId) && s.info().instanceId().equals(instanceId))
                    .forEach(s -> s.migrate(reason)));
        }
        ZoweTokenAuthenticator tokens = ZoweTokenAuthenticator.create(
                ZoweTokenSettings.create(config.get("gateway.security.zowe-jwt"))).orElse(null);
        this.ingress = Ingress.create(config.get("server.protocols.http_1_1"), settings.security(),
                                      security.authenticator(), tokens, relay, settings.affinity().instanceIdHeader(),
                                      registry::ready);
    }

    /**
     * Create the gateway's parts from configuration (discovery starts reading its registry).
     *
     * @param config root configuration
     * @return the parts
     */
    public static GatewayWiring create(Config config) {
        GatewaySettings settings = GatewaySettings.create(config);
        Optional<DescriptorBudget> descriptors = DescriptorBudget.measure();
        if (descriptors.isPresent()) {
            SecuritySettings security = settings.security();
            settings = settings.withSecurity(security.withMaxSessions(
                    descriptors.get().maxSessions(security.maxSessions())));
        }
        String type = settings.server().discoveryType();
        ServiceRegistry registry = Discovery.create(type, config.get("discovery").get(type));
        try {
            return new GatewayWiring(config, settings, descriptors, registry);
        } catch (RuntimeException | Error e) {
            registry.close();
            throw e;
        }
    }

    /**
     * Put the gateway on a server builder: listener options, the upgrader and hardening on the gateway's sockets,
     * the observe endpoints (on the management socket when configured) and the plain-HTTP answer on gateway paths.
     *
     * @param server builder (its {@code server} configuration is applied here)
     */
    public void configure(WebServerConfig.Builder server) {
        ServerSettings serverSettings = settings.server();
        ObserveFeatureConfig.Builder observe = ObserveFeature.builder()
                .endpoint("/application")
                .addObserver(HealthObserver.builder()
                                     .details(true)
                                     .addCheck(new DiscoveryReadiness(serverSettings.discoveryType(), registry,
                                                                      sessions))
                                     .build())
                .addObserver(MetricsObserver.builder().meterRegistry(Metrics.globalRegistry()).build());
        serverSettings.managementPort().ifPresent(port -> observe.addSockets(List.of(MANAGEMENT_SOCKET)));
        server.config(config.get("server"))
                .putListenerSocketOption(StandardSocketOptions.SO_RCVBUF, serverSettings.clientReceiveBufferSize())
                .shutdownHook(false)
                .addFeature(observe.build());
        if (serverSettings.managementPort().isPresent()) {
            // observe endpoints, the session listing and the console on their own port; the gateway port serves only
            // WebSockets
            server.putSocket(MANAGEMENT_SOCKET, socket -> socket.port(serverSettings.managementPort().get())
                            .host(serverSettings.managementHost()))
                    .routing(MANAGEMENT_SOCKET, routing -> {
                        security.protectObserve(routing);
                        routing.register("/application/websockets", webSockets)
                                .register("/application/instances", instances)
                                .register("/application/console", console);
                    })
                    .routing(routing -> routing.any(Ingress::upgradeRequired));
        } else {
            server.routing(routing -> {
                security.protectObserve(routing);
                routing.register("/application/websockets", webSockets)
                        .register("/application/instances", instances)
                        .register("/application/console", console)
                        .any(Ingress::upgradeRequired);
            });
        }
        // on every listener, the management one included (so it is added first): the head deadline, no header
        // logging, 431, TLS 1.2+ and the descriptor budget; the gateway's upgrader on the gateway's sockets only
        ServerHardening.apply(server, ingress, Set.of(MANAGEMENT_SOCKET), configured -> descriptors
                .map(budget -> budget.maxConnections(configured, 1 + server.sockets().size(),
                                                     settings.security().maxSessions()))
                .orElse(configured));
    }

    /**
     * Announce the gateway to discovery (backends that register it) and remember the announcement for the cluster
     * view.
     *
     * @param self how the gateway announces itself
     */
    void register(SelfRegistration self) {
        peers.announced(self);
        registry.register(self);
    }

    GatewaySettings settings() {
        return settings;
    }

    ServiceRegistry registry() {
        return registry;
    }

    SessionRegistry sessions() {
        return sessions;
    }

    GatewayMetrics metrics() {
        return metrics;
    }

    /**
     * Release what the parts hold (after the server stopped).
     */
    void close() {
        healthChecks.ifPresent(HealthChecks::close);
        sessions.close();
        connector.close();
        metrics.close();
        history.close();
        peerClient.close();
        registry.close();
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
}
