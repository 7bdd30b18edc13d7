package dev.wsgateway.discovery.eureka;

import java.util.List;

import com.netflix.appinfo.EurekaAccept;
import com.netflix.discovery.EurekaClientConfig;
import com.netflix.discovery.shared.transport.EurekaTransportConfig;

/**
 * {@link EurekaClientConfig} from {@link EurekaSettings}, without Archaius. One client either fetches the registry or
 * registers the gateway, never both (see {@link EurekaRegistry}).
 */
final class ClientConfig implements EurekaClientConfig {
    private static final String REGION = "us-east-1";
    private static final String ZONE = "defaultZone";

    private final EurekaSettings settings;
    private final boolean register;
    private final boolean fetch;
    private final EurekaTransportConfig transport = new TransportConfig();

    private ClientConfig(EurekaSettings settings, boolean register, boolean fetch) {
        this.settings = settings;
        this.register = register;
        this.fetch = fetch;
    }

    static ClientConfig query(EurekaSettings settings) {
        return new ClientConfig(settings, false, true);
    }

    static ClientConfig registration(EurekaSettings settings) {
        return new ClientConfig(settings, true, false);
    }

    @Override
    public int getRegistryFetchIntervalSeconds() {
        return settings.fetchIntervalSeconds();
    }

    @Override
    public int getInstanceInfoReplicationIntervalSeconds() {
        return 30;
    }

    @Override
    public int getInitialInstanceInfoReplicationIntervalSeconds() {
        // register as soon as the client exists, not after Netflix's default 40 s
        return 0;
    }

    @Override
    public int getEurekaServiceUrlPollIntervalSeconds() {
        return 300;
    }

    @Override
    public String getProxyHost() {
        return null;
    }

    @Override
    public String getProxyPort() {
        return null;
    }

    @Override
    public String getProxyUserName() {
        return null;
    }

    @Override
    public String getProxyPassword() {
        return null;
    }

    @Override
    public boolean shouldGZipContent() {
        return true;
    }

    @Override
    public int getEurekaServerReadTimeoutSeconds() {
        return ceilSeconds(settings.readTimeoutMillis());
    }

    @Override
    public int getEurekaServerConnectTimeoutSeconds() {
        return ceilSeconds(settings.connectTimeoutMillis());
    }

    @Override
    public String getBackupRegistryImpl() {
        return null;
    }

    @Override
    public int getEurekaServerTotalConnections() {
        return 200;
    }

    @Override
    public int getEurekaServerTotalConnectionsPerHost() {
        return 50;
    }

    @Override
    public String getEurekaServerURLContext() {
        return null;
    }

    @Override
    public String getEurekaServerPort() {
        return null;
    }

    @Override
    public String getEurekaServerDNSName() {
        return null;
    }

    @Override
    public boolean shouldUseDnsForFetchingServiceUrls() {
        return false;
    }

    @Override
    public boolean shouldRegisterWithEureka() {
        return register;
    }

    @Override
    public boolean shouldUnregisterOnShutdown() {
        return true;
    }

    @Override
    public boolean shouldPreferSameZoneEureka() {
        return true;
    }

    @Override
    public boolean allowRedirects() {
        return false;
    }

    @Override
    public boolean shouldLogDeltaDiff() {
        return false;
    }

    @Override
    public boolean shouldDisableDelta() {
        return false;
    }

    @Override
    public String fetchRegistryForRemoteRegions() {
        return null;
    }

    @Override
    public String getRegion() {
        return REGION;
    }

    @Override
    public String[] getAvailabilityZones(String region) {
        return new String[] {ZONE};
    }

    @Override
    public List<String> getEurekaServerServiceUrls(String myZone) {
        return settings.serviceUrls();
    }

    @Override
    public boolean shouldFilterOnlyUpInstances() {
        // the gateway wants DOWN and OUT_OF_SERVICE instances too, to know their status
        return false;
    }

    @Override
    public int getEurekaConnectionIdleTimeoutSeconds() {
        return 30;
    }

    @Override
    public boolean shouldFetchRegistry() {
        return fetch;
    }

    @Override
    public boolean shouldEnforceFetchRegistryAtInit() {
        return false;
    }

    @Override
    public boolean shouldEnforceRegistrationAtInit() {
        return false;
    }

    @Override
    public String getRegistryRefreshSingleVipAddress() {
        return null;
    }

    @Override
    public int getHeartbeatExecutorThreadPoolSize() {
        return 2;
    }

    @Override
    public int getHeartbeatExecutorExponentialBackOffBound() {
        return 10;
    }

    @Override
    public int getCacheRefreshExecutorThreadPoolSize() {
        return 2;
    }

    @Override
    public int getCacheRefreshExecutorExponentialBackOffBound() {
        return 10;
    }

    @Override
    public String getDollarReplacement() {
        return "_-";
    }

    @Override
    public String getEscapeCharReplacement() {
        return "__";
    }

    @Override
    public boolean shouldOnDemandUpdateStatusChange() {
        return true;
    }

    @Override
    public String getEncoderName() {
        return null;
    }

    @Override
    public String getDecoderName() {
        return null;
    }

    @Override
    public String getClientDataAccept() {
        return EurekaAccept.full.name();
    }

    @Override
    public String getExperimental(String name) {
        return null;
    }

    @Override
    public EurekaTransportConfig getTransportConfig() {
        return transport;
    }

    private static int ceilSeconds(int millis) {
        return Math.max(1, (millis + 999) / 1000);
    }

    /**
     * Netflix's defaults for the transport layer.
     */
    private static final class TransportConfig implements EurekaTransportConfig {
        @Override
        public int getSessionedClientReconnectIntervalSeconds() {
            return 20 * 60;
        }

        @Override
        public double getRetryableClientQuarantineRefreshPercentage() {
            return 0.66;
        }

        @Override
        public int getApplicationsResolverDataStalenessThresholdSeconds() {
            return 5 * 60;
        }

        @Override
        public boolean applicationsResolverUseIp() {
            return false;
        }

        @Override
        public int getAsyncResolverRefreshIntervalMs() {
            return 5 * 60 * 1000;
        }

        @Override
        public int getAsyncResolverWarmUpTimeoutMs() {
            return 5000;
        }

        @Override
        public int getAsyncExecutorThreadPoolSize() {
            return 5;
        }

        @Override
        public String getWriteClusterVip() {
            return null;
        }

        @Override
        public String getReadClusterVip() {
            return null;
        }

        @Override
        public String getBootstrapResolverStrategy() {
            return null;
        }

        @Override
        public boolean useBootstrapResolverForQuery() {
            return true;
        }
    }
}
