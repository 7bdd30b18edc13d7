package dev.wsgateway.gateway.observe;

import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.SelfRegistration;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.gateway.security.ClusterProof;

/**
 * The other gateways of this gateway's app, as discovery lists them: every UP instance registered under the app name
 * this gateway registered with, except itself (matched by its instance id), and where their observe endpoints are
 * (the metadata {@link #metadata} announces; always https when {@code gateway.cluster.tls} is set, whatever the
 * registrant says). Whoever can register may appear here: a peer gets only requests signed with the cluster secret
 * and counts only with answers signed with it ({@link PeerClient}). Without the cluster view
 * ({@code gateway.cluster.enabled}) or a registration of its own (static discovery, {@code register: false}) a gateway
 * has no peers, and says why.
 */
public final class GatewayPeers {
    /** Registration metadata: port of the observe endpoints (the management port when one is set). */
    public static final String OBSERVE_PORT = "wsgateway-observe-port";
    /** Registration metadata: {@code http} or {@code https}, the scheme of the observe endpoints. */
    public static final String OBSERVE_SCHEME = "wsgateway-observe-scheme";

    private final ServiceRegistry registry;
    private final String discoveryType;
    private final boolean enabled;
    private final boolean tls;
    private volatile Gateway local = new Gateway("local", URI.create("http://localhost/"), "UP", "local#0");

    /**
     * @param registry      discovery
     * @param discoveryType {@code discovery.type}, named when there is no cluster view
     * @param enabled       {@code gateway.cluster.enabled}
     * @param tls           whether {@code gateway.cluster.tls} is set: peers are asked over https only
     */
    public GatewayPeers(ServiceRegistry registry, String discoveryType, boolean enabled, boolean tls) {
        this.registry = registry;
        this.discoveryType = discoveryType;
        this.enabled = enabled;
        this.tls = tls;
    }

    /**
     * The metadata a gateway registers so that its peers find its observe endpoints. Keys use only letters, digits
     * and {@code -}, which every backend keeps as they are.
     *
     * @param scheme scheme of the observe endpoints
     * @param port   their port
     * @return metadata entries
     */
    public static Map<String, String> metadata(String scheme, int port) {
        return Map.of(OBSERVE_SCHEME, scheme, OBSERVE_PORT, Integer.toString(port));
    }

    /**
     * Remember how this gateway announced itself (its id and observe address when the backend does not register it).
     *
     * @param self the announcement
     */
    public void announced(SelfRegistration self) {
        int port = self.securePort() > 0 ? self.securePort() : self.port();
        URI observe = observeBase(self.host(), self.metadata(), self.securePort() > 0, port, false);
        local = new Gateway(self.host() + ":" + port, observe, "UP", ClusterProof.identity(self.host() + ":" + port,
                                                                                           observe.getPort()));
    }

    /**
     * This gateway's identity in signed cluster requests, once it registered.
     *
     * @return its identity, empty without a registration
     */
    public Optional<String> selfIdentity() {
        return registry.registration().map(self -> ClusterProof.identity(self.instanceId(), local.observe().getPort()));
    }

    /**
     * This gateway and its peers now.
     *
     * @return the view
     */
    View view() {
        if (!enabled) {
            return new View(local, List.of(), Optional.of("the cluster view is off (gateway.cluster.enabled: false), "
                    + "so only this gateway is listed"));
        }
        Optional<SelfRegistration> registered = registry.registration();
        if (registered.isEmpty()) {
            String why = "static".equals(discoveryType)
                    ? "discovery static: gateways do not register, so only this gateway is listed"
                    : "this gateway does not register in discovery " + discoveryType
                            + " (register: false), so it cannot find other gateways; only this gateway is listed";
            return new View(local, List.of(), Optional.of(why));
        }
        SelfRegistration self = registered.get();
        Gateway me = new Gateway(self.instanceId(), local.observe(), "UP", selfIdentity().orElseThrow());
        List<Gateway> peers = registry.instances(self.appName()).stream()
                .filter(instance -> !instance.instanceId().equals(self.instanceId()))
                .filter(instance -> instance.status() == InstanceStatus.UP)
                .map(this::gateway)
                .sorted(Comparator.comparing(Gateway::id))
                .toList();
        return new View(me, peers, Optional.empty());
    }

    private Gateway gateway(ServiceInstance instance) {
        URI observe = observeBase(instance.host(), instance.metadata(), instance.secure(), instance.port(), tls);
        return new Gateway(instance.instanceId(), observe, instance.status().name(),
                           ClusterProof.identity(instance.instanceId(), observe.getPort()));
    }

    /**
     * Base URI of a gateway's observe endpoints: the host as discovery lists it, scheme and port from the metadata,
     * else those of the registered port (a gateway that does not announce them serves them there); https whatever
     * they say when {@code https} is set. A port that is not a number is the registered port.
     */
    private static URI observeBase(String host, Map<String, String> metadata, boolean secure, int port,
                                   boolean https) {
        String scheme = https ? "https" : metadata.getOrDefault(OBSERVE_SCHEME, secure ? "https" : "http");
        if (!scheme.equals("https")) {
            scheme = "http";
        }
        String observePort = metadata.getOrDefault(OBSERVE_PORT, Integer.toString(port));
        if (!observePort.matches("[0-9]{1,5}")) {
            observePort = Integer.toString(port);
        }
        String authority = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return URI.create(scheme + "://" + authority + ":" + observePort + "/");
    }

    /**
     * One gateway.
     *
     * @param id       its instance id in discovery (or {@code host:port} when it does not register)
     * @param observe  base URI of its observe endpoints
     * @param status   its status in discovery
     * @param identity its identity in signed cluster requests ({@link ClusterProof#identity})
     */
    record Gateway(String id, URI observe, String status, String identity) {
    }

    /**
     * This gateway and the others.
     *
     * @param self  this gateway
     * @param peers the other gateways of its app
     * @param alone why there is no cluster view, when there is none
     */
    record View(Gateway self, List<Gateway> peers, Optional<String> alone) {
    }
}
