package dev.wsgateway.discovery.eureka;

import java.util.Map;

import com.netflix.appinfo.DataCenterInfo;
import com.netflix.appinfo.EurekaInstanceConfig;
import com.netflix.appinfo.InstanceInfo;
import com.netflix.appinfo.LeaseInfo;
import com.netflix.appinfo.MyDataCenterInfo;

/**
 * {@link EurekaInstanceConfig} describing the gateway (or the placeholder identity of the fetch-only client),
 * without Archaius. {@link #toInstanceInfo()} builds the matching {@link InstanceInfo}.
 */
final class InstanceConfig implements EurekaInstanceConfig {
    private final String appName;
    private final String instanceId;
    private final String hostName;
    private final String ipAddress;
    private final int port;
    private final int securePort;
    private final String healthCheckUrl;
    private final String statusPageUrl;
    private final String homePageUrl;
    private final int leaseRenewalSeconds;
    private final int leaseExpirationSeconds;
    private final Map<String, String> metadata;
    private final DataCenterInfo dataCenterInfo = new MyDataCenterInfo(DataCenterInfo.Name.MyOwn);

    InstanceConfig(String appName,
                   String instanceId,
                   String hostName,
                   String ipAddress,
                   int port,
                   int securePort,
                   String healthCheckUrl,
                   String statusPageUrl,
                   String homePageUrl,
                   int leaseRenewalSeconds,
                   int leaseExpirationSeconds,
                   Map<String, String> metadata) {
        this.appName = appName;
        this.instanceId = instanceId;
        this.hostName = hostName;
        this.ipAddress = ipAddress;
        this.port = port;
        this.securePort = securePort;
        this.healthCheckUrl = healthCheckUrl;
        this.statusPageUrl = statusPageUrl;
        this.homePageUrl = homePageUrl;
        this.leaseRenewalSeconds = leaseRenewalSeconds;
        this.leaseExpirationSeconds = leaseExpirationSeconds;
        this.metadata = Map.copyOf(metadata);
    }

    InstanceInfo toInstanceInfo() {
        LeaseInfo lease = LeaseInfo.Builder.newBuilder()
                .setRenewalIntervalInSecs(leaseRenewalSeconds)
                .setDurationInSecs(leaseExpirationSeconds)
                .build();
        // identity VIP resolver: the default one reads Archaius properties
        return InstanceInfo.Builder.newBuilder((com.netflix.appinfo.providers.VipAddressResolver) vip -> vip)
                .setInstanceId(instanceId)
                .setAppName(appName)
                .setHostName(hostName)
                .setIPAddr(ipAddress)
                .setPort(isNonSecurePortEnabled() ? port : 80)
                .enablePort(InstanceInfo.PortType.UNSECURE, isNonSecurePortEnabled())
                .setSecurePort(getSecurePortEnabled() ? securePort : 443)
                .enablePort(InstanceInfo.PortType.SECURE, getSecurePortEnabled())
                .setVIPAddress(getVirtualHostName())
                .setSecureVIPAddress(getSecureVirtualHostName())
                .setHomePageUrl(null, homePageUrl)
                .setStatusPageUrl(null, statusPageUrl)
                .setHealthCheckUrls(null, getHealthCheckUrl(), getSecureHealthCheckUrl())
                .setDataCenterInfo(dataCenterInfo)
                .setLeaseInfo(lease)
                .setMetadata(new java.util.HashMap<>(metadata))
                .setStatus(InstanceInfo.InstanceStatus.UP)
                .build();
    }

    @Override
    public String getInstanceId() {
        return instanceId;
    }

    @Override
    public String getAppname() {
        return appName;
    }

    @Override
    public String getAppGroupName() {
        return null;
    }

    @Override
    public boolean isInstanceEnabledOnit() {
        return true;
    }

    @Override
    public int getNonSecurePort() {
        return port;
    }

    @Override
    public int getSecurePort() {
        return securePort;
    }

    @Override
    public boolean isNonSecurePortEnabled() {
        return port > 0;
    }

    @Override
    public boolean getSecurePortEnabled() {
        return securePort > 0;
    }

    @Override
    public int getLeaseRenewalIntervalInSeconds() {
        return leaseRenewalSeconds;
    }

    @Override
    public int getLeaseExpirationDurationInSeconds() {
        return leaseExpirationSeconds;
    }

    @Override
    public String getVirtualHostName() {
        return appName.toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String getSecureVirtualHostName() {
        return getVirtualHostName();
    }

    @Override
    public String getASGName() {
        return null;
    }

    @Override
    public String getHostName(boolean refresh) {
        return hostName;
    }

    @Override
    public Map<String, String> getMetadataMap() {
        return metadata;
    }

    @Override
    public DataCenterInfo getDataCenterInfo() {
        return dataCenterInfo;
    }

    @Override
    public String getIpAddress() {
        return ipAddress;
    }

    @Override
    public String getStatusPageUrlPath() {
        return null;
    }

    @Override
    public String getStatusPageUrl() {
        return statusPageUrl;
    }

    @Override
    public String getHomePageUrlPath() {
        return null;
    }

    @Override
    public String getHomePageUrl() {
        return homePageUrl;
    }

    @Override
    public String getHealthCheckUrlPath() {
        return null;
    }

    @Override
    public String getHealthCheckUrl() {
        return healthCheckUrl;
    }

    @Override
    public String getSecureHealthCheckUrl() {
        return healthCheckUrl != null && healthCheckUrl.startsWith("https:") ? healthCheckUrl : null;
    }

    @Override
    public String[] getDefaultAddressResolutionOrder() {
        return new String[0];
    }

    @Override
    public String getNamespace() {
        return "eureka.";
    }
}
