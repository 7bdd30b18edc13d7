package dev.wsgateway.discovery.eureka;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.ssl.SSLContext;

import com.netflix.appinfo.ApplicationInfoManager;
import com.netflix.appinfo.InstanceInfo;
import com.netflix.discovery.CacheRefreshedEvent;
import com.netflix.discovery.DiscoveryClient;
import com.netflix.discovery.EurekaEventListener;
import com.netflix.discovery.Jersey3DiscoveryClientOptionalArgs;
import com.netflix.discovery.shared.Application;
import com.netflix.discovery.shared.Applications;
import com.netflix.discovery.shared.resolver.EndpointRandomizer;
import com.netflix.discovery.shared.resolver.EurekaEndpoint;
import dev.wsgateway.discovery.InMemoryRegistry;
import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.SelfRegistration;
import dev.wsgateway.discovery.ServiceInstance;

/**
 * The registry as a Netflix Eureka client sees it.
 * <p>
 * Two Netflix clients do the work: a query client, created at start, that only fetches the registry (every
 * {@code fetch-interval} seconds), and a registration client, created by {@link #register(SelfRegistration)}, that
 * only registers the gateway and sends heartbeats. After every successful fetch the whole view is replaced by the
 * fetched one; a failed fetch (every Eureka server down) changes nothing, so the last view stays, and a fetch that
 * lost most instances at once (a restarted Eureka server) keeps them until they register again
 * ({@link RegistryLossGuard}).
 */
public final class EurekaRegistry extends InMemoryRegistry {
    private static final System.Logger LOGGER = System.getLogger(EurekaRegistry.class.getName());

    /**
     * Keep the service URLs in the configured order (the Netflix default shuffles them): the first URL is the
     * primary, the others are tried in turn when it fails.
     */
    private static final EndpointRandomizer IN_ORDER = new EndpointRandomizer() {
        @Override
        public <T extends EurekaEndpoint> List<T> randomize(List<T> list) {
            return new ArrayList<>(list);
        }
    };

    private final EurekaSettings settings;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final SSLContext sslContext;
    private volatile DiscoveryClient queryClient;
    private volatile DiscoveryClient registrationClient;
    private final RegistryLossGuard lossGuard;
    private volatile SelfRegistration published;
    private volatile long lastFetchNanos;
    private volatile boolean refreshedBeforeClientExisted;
    private final EurekaClientLog clientLog = EurekaClientLog.install();
    private volatile FetchWatch watch;

    private EurekaRegistry(EurekaSettings settings) {
        this.settings = settings;
        this.sslContext = EurekaTls.context(settings).orElse(null);
        this.lossGuard = new RegistryLossGuard(Duration.ofSeconds(settings.registryLossGraceSeconds()));
    }

    /**
     * Start a registry: creates the query client, which tries a first fetch at once (a failure only leaves the
     * registry not {@link #ready()} and is retried every fetch interval).
     *
     * @param settings settings
     * @return running registry
     */
    public static EurekaRegistry start(EurekaSettings settings) {
        EurekaRegistry registry = new EurekaRegistry(settings);
        registry.startQueryClient();
        return registry;
    }

    private void startQueryClient() {
        // the query client needs an identity of its own; it never registers it
        InstanceConfig identity = new InstanceConfig(appName(null),
                                                     "query-" + ProcessHandle.current().pid(),
                                                     "localhost",
                                                     "127.0.0.1",
                                                     1,
                                                     -1,
                                                     null,
                                                     null,
                                                     null,
                                                     settings.leaseRenewalSeconds(),
                                                     settings.leaseExpirationSeconds(),
                                                     Map.of());
        EurekaEventListener listener = event -> {
            if (event instanceof CacheRefreshedEvent) {
                onRefreshed();
            }
        };
        DiscoveryClient client = newClient(identity, ClientConfig.query(settings), listener, "fetch");
        queryClient = client;
        // from here: the client's first fetch (in its constructor) is done, so its problem is known
        watch = new FetchWatch(settings, () -> lastFetchNanos, () -> services().size(), clientLog);
        if (refreshedBeforeClientExisted) {
            // the first fetch ran inside the constructor, before we could read the client
            onRefreshed();
        }
        LOGGER.log(System.Logger.Level.INFO, "Eureka discovery started: service URLs {0}, fetch every {1} s, ready={2}",
                   settings.serviceUrls(), settings.fetchIntervalSeconds(), ready());
    }

    private DiscoveryClient newClient(InstanceConfig instance,
                                      ClientConfig config,
                                      EurekaEventListener listener,
                                      String role) {
        ApplicationInfoManager manager = new ApplicationInfoManager(instance, instance.toInstanceInfo());
        Jersey3DiscoveryClientOptionalArgs args = new Jersey3DiscoveryClientOptionalArgs();
        if (listener != null) {
            args.setEventListeners(Set.of(listener));
        }
        if (sslContext != null) {
            args.setSSLContext(sslContext);
        }
        EurekaTls.hostnameVerifier(settings.security()).ifPresent(args::setHostnameVerifier);
        ReportingTransport transport = new ReportingTransport(role, settings.security(), closed::get);
        return new DiscoveryClient(manager, config, transport, args, IN_ORDER);
    }

    private void onRefreshed() {
        DiscoveryClient client = queryClient;
        if (client == null) {
            refreshedBeforeClientExisted = true;
            return;
        }
        lock.lock();
        try {
            Applications applications = client.getApplications();
            List<ServiceInstance> instances = new ArrayList<>();
            for (Application application : applications.getRegisteredApplications()) {
                for (InstanceInfo info : application.getInstancesAsIsFromEureka()) {
                    ServiceInstance instance = toServiceInstance(info);
                    if (instance != null) {
                        instances.add(instance);
                    }
                }
            }
            lastFetchNanos = System.nanoTime();
            update(lossGuard.view(instances, lastFetchNanos));
            FetchWatch w = watch;
            if (w != null) {
                w.fetched();
            }
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Cannot read the Eureka registry; keeping the previous view", e);
        } finally {
            lock.unlock();
        }
    }

    ServiceInstance toServiceInstance(InstanceInfo info) {
        String host = settings.preferIpAddress()
                ? firstNonBlank(info.getIPAddr(), info.getHostName())
                : firstNonBlank(info.getHostName(), info.getIPAddr());
        boolean secure = info.isPortEnabled(InstanceInfo.PortType.SECURE);
        int port = secure ? info.getSecurePort() : info.getPort();
        InstanceStatus status = InstanceStatus.parse(info.getStatus() == null ? null : info.getStatus().name());
        try {
            return new ServiceInstance(info.getAppName(), info.getInstanceId(), host, port, secure, status,
                                       info.getMetadata());
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Ignoring Eureka instance {0} of {1}: {2}",
                       info.getInstanceId(), info.getAppName(), e.getMessage());
            return null;
        }
    }

    /**
     * Register the gateway in Eureka (when {@code register} is on) and keep sending heartbeats until
     * {@link #deregister()}. Registration is asynchronous: it is retried while Eureka is unreachable.
     *
     * @param self the gateway instance
     */
    @Override
    public void register(SelfRegistration self) {
        if (!settings.register()) {
            LOGGER.log(System.Logger.Level.INFO, "Eureka self-registration is switched off (discovery.eureka.register)");
            return;
        }
        lock.lock();
        try {
            if (closed.get()) {
                throw new IllegalStateException("Eureka registry is closed");
            }
            if (registrationClient != null) {
                registrationClient.shutdown();
                registrationClient = null;
            }
            String app = appName(self.appName());
            String host = self.host();
            int mainPort = self.securePort() > 0 ? self.securePort() : self.port();
            String instanceId = self.instanceId() == null || self.instanceId().isBlank()
                    ? host + ":" + app.toLowerCase(java.util.Locale.ROOT) + ":" + mainPort
                    : self.instanceId();
            String scheme = self.securePort() > 0 ? "https" : "http";
            InstanceConfig instance = new InstanceConfig(app,
                                                         instanceId,
                                                         host,
                                                         ipOf(host),
                                                         self.port(),
                                                         self.securePort(),
                                                         self.healthUrl(),
                                                         self.statusPageUrl(),
                                                         scheme + "://" + host + ":" + mainPort + "/",
                                                         settings.leaseRenewalSeconds(),
                                                         settings.leaseExpirationSeconds(),
                                                         self.metadata());
            registrationClient = newClient(instance, ClientConfig.registration(settings), null, "registration");
            published = new SelfRegistration(app, instanceId, host, self.port(), self.securePort(), self.healthUrl(),
                                             self.statusPageUrl(), self.metadata());
            LOGGER.log(System.Logger.Level.INFO, "Registering in Eureka as {0}/{1} at {2}:{3}",
                       app, instanceId, host, String.valueOf(mainPort));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<SelfRegistration> registration() {
        return Optional.ofNullable(published);
    }

    /**
     * Cancel the gateway's registration (status DOWN, then cancel) and stop its heartbeats. Idempotent.
     */
    @Override
    public void deregister() {
        lock.lock();
        try {
            DiscoveryClient client = registrationClient;
            registrationClient = null;
            if (client != null) {
                clientLog.expectDeregistration();
                client.shutdown();
                int status = clientLog.deregisterStatus();
                if (status == 200) {
                    LOGGER.log(System.Logger.Level.INFO, "Deregistered from Eureka");
                } else {
                    // Eureka keeps the entry until the lease expires: say so rather than claim a deregistration
                    LOGGER.log(System.Logger.Level.WARNING, "Could not deregister from Eureka ({0}): it lists the "
                                       + "gateway until its lease expires, {1} s after the last heartbeat",
                               status > 0 ? "HTTP " + status : clientLog.deregisterFailure() != null
                                       ? clientLog.deregisterFailure() : clientLog.lastProblem(),
                               String.valueOf(settings.leaseExpirationSeconds()));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deregister and stop fetching. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        deregister();
        FetchWatch w = watch;
        if (w != null) {
            w.close();
        }
        DiscoveryClient client = queryClient;
        if (client != null) {
            client.shutdown();
        }
    }

    @Override
    public long failures() {
        FetchWatch w = watch;
        return w == null ? 0 : w.failures();
    }

    /**
     * Time of the last successful registry fetch.
     *
     * @return {@link System#nanoTime()} of the last fetch, {@code 0} when none succeeded yet
     */
    public long lastFetchNanos() {
        return lastFetchNanos;
    }

    /**
     * Settings in use.
     *
     * @return settings
     */
    public EurekaSettings settings() {
        return settings;
    }

    private String appName(String fromGateway) {
        return settings.appName()
                .orElse(fromGateway == null || fromGateway.isBlank() ? EurekaSettings.DEFAULT_APP_NAME : fromGateway)
                .toUpperCase(java.util.Locale.ROOT);
    }

    private static String firstNonBlank(String a, String b) {
        return a != null && !a.isBlank() ? a : b;
    }

    private static String ipOf(String host) {
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (IOException e) {
            return host;
        }
    }
}
