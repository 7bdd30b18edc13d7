package dev.wsgateway.discovery.eureka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import com.netflix.appinfo.InstanceInfo;
import com.netflix.discovery.EurekaClientConfig;
import com.netflix.discovery.shared.Application;
import com.netflix.discovery.shared.Applications;
import com.netflix.discovery.shared.resolver.EurekaEndpoint;
import com.netflix.discovery.shared.transport.EurekaHttpClient;
import com.netflix.discovery.shared.transport.EurekaHttpResponse;
import com.netflix.discovery.shared.transport.TransportClientFactory;
import com.netflix.discovery.shared.transport.jersey.TransportClientFactories;
import com.netflix.discovery.shared.transport.jersey3.Jersey3TransportClientFactories;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;

/**
 * The Netflix client's Jersey transport, with two additions: Basic credentials on every request (when configured),
 * and one log line each time the reason Eureka cannot be used changes (TLS refused, credentials refused,
 * unreachable) and when it can be used again. The Netflix client logs through SLF4J without a binding here, so
 * without this a refused client certificate would leave readiness down with nothing in the log. No stack trace, no
 * credential, and nothing a server sent is logged.
 */
final class ReportingTransport implements TransportClientFactories<ClientRequestFilter> {
    private static final System.Logger LOGGER = System.getLogger(EurekaRegistry.class.getName());

    private final Jersey3TransportClientFactories jersey = new Jersey3TransportClientFactories();
    private final String role;
    private final EurekaClientSecurity security;
    private final BooleanSupplier closing;
    private volatile String lastProblem;

    /**
     * @param role     what the client does, for the log ({@code fetch}, {@code registration})
     * @param security credentials to send
     * @param closing  whether the registry is closing (calls failing then are not reported)
     */
    ReportingTransport(String role, EurekaClientSecurity security, BooleanSupplier closing) {
        this.role = role;
        this.security = security;
        this.closing = closing;
    }

    @Override
    public TransportClientFactory newTransportClientFactory(EurekaClientConfig config,
                                                           Collection<ClientRequestFilter> filters,
                                                           InstanceInfo self) {
        return newTransportClientFactory(config, filters, self, Optional.empty(), Optional.empty());
    }

    @Override
    public TransportClientFactory newTransportClientFactory(EurekaClientConfig config,
                                                           Collection<ClientRequestFilter> filters,
                                                           InstanceInfo self,
                                                           Optional<SSLContext> sslContext,
                                                           Optional<HostnameVerifier> hostnameVerifier) {
        Collection<ClientRequestFilter> all = filters;
        if (security.username().isPresent()) {
            String token = Base64.getEncoder().encodeToString(
                    (security.username().get() + ":" + security.password().orElseThrow())
                            .getBytes(StandardCharsets.UTF_8));
            ClientRequestFilter basic = request -> request.getHeaders().putSingle(HttpHeaders.AUTHORIZATION,
                                                                                  "Basic " + token);
            all = new java.util.ArrayList<>(filters == null ? List.of() : filters);
            all.add(basic);
        }
        TransportClientFactory delegate = jersey.newTransportClientFactory(config, all, self, sslContext,
                                                                           hostnameVerifier);
        return new TransportClientFactory() {
            @Override
            public EurekaHttpClient newClient(EurekaEndpoint endpoint) {
                return new Reporting(delegate.newClient(endpoint), endpoint.getServiceUrl());
            }

            @Override
            public void shutdown() {
                delegate.shutdown();
            }
        };
    }

    /**
     * Record the outcome of one call; log when the problem changed.
     *
     * @param url     Eureka URL (without credentials)
     * @param problem what went wrong, {@code null} for success
     */
    void outcome(String url, String problem) {
        if (closing.getAsBoolean()) {
            return;
        }
        String previous = lastProblem;
        if (problem == null) {
            if (previous != null) {
                lastProblem = null;
                LOGGER.log(System.Logger.Level.INFO, "Eureka {0} works again at {1}", role, url);
            }
            return;
        }
        String line = "Eureka " + role + " failed at " + url + ": " + problem;
        if (!line.equals(previous)) {
            lastProblem = line;
            LOGGER.log(System.Logger.Level.WARNING, line);
        }
    }

    /**
     * The reason a call failed, in one line naming the setting to look at.
     *
     * @param error what the call threw
     * @return reason
     */
    static String describe(Throwable error) {
        SSLException tls = null;
        IOException io = null;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SSLException e && tls == null) {
                tls = e;
            } else if (t instanceof IOException e && io == null) {
                io = e;
            }
        }
        if (tls != null) {
            String message = clean(tls.getMessage());
            String hint;
            if (message.contains("PKIX") || message.contains("certification path")) {
                hint = "the server's certificate is not trusted (discovery.eureka.tls.trust-store)";
            } else if (message.contains("subject alternative") || message.contains("No name matching")
                    || message.contains("hostname")) {
                hint = "the server's certificate does not name this host (discovery.eureka.tls.verify-hostname)";
            } else if (message.contains("bad_certificate") || message.contains("certificate_required")
                    || message.contains("certificate_unknown") || message.contains("unknown_ca")) {
                hint = "the server refused the gateway's client certificate or its absence; a certificate is offered "
                        + "only when its issuer is one the server accepts (discovery.eureka.tls.key-store)";
            } else {
                hint = "check discovery.eureka.tls.*";
            }
            return "TLS handshake failed (" + message + "): " + hint;
        }
        Throwable cause = io != null ? io : error;
        return "cannot reach it (" + cause.getClass().getSimpleName() + ": " + clean(cause.getMessage()) + ")";
    }

    static String describeStatus(int status) {
        return switch (status) {
            case 401 -> "HTTP 401: credentials missing or refused (discovery.eureka.username/password)";
            case 403 -> "HTTP 403: this client is not allowed (certificate or user)";
            default -> "HTTP " + status;
        };
    }

    private static String clean(String s) {
        if (s == null) {
            return "no detail";
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && out.length() < 200; i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        return out.toString();
    }

    private final class Reporting implements EurekaHttpClient {
        private final EurekaHttpClient delegate;
        private final String url;

        Reporting(EurekaHttpClient delegate, String url) {
            this.delegate = delegate;
            this.url = EurekaClientSecurity.withoutCredentials(List.of(url)).getFirst();
        }

        private <T> EurekaHttpResponse<T> call(Supplier<EurekaHttpResponse<T>> call) {
            EurekaHttpResponse<T> response;
            try {
                response = call.get();
            } catch (RuntimeException e) {
                outcome(url, describe(e));
                throw e;
            }
            int status = response.getStatusCode();
            if (status == 401 || status == 403) {
                outcome(url, describeStatus(status));
            } else if (status < 500) {
                // 404 answers a heartbeat of an instance not registered yet: Eureka itself is usable
                outcome(url, null);
            }
            return response;
        }

        @Override
        public EurekaHttpResponse<Void> register(InstanceInfo info) {
            return call(() -> delegate.register(info));
        }

        @Override
        public EurekaHttpResponse<Void> cancel(String appName, String id) {
            return call(() -> delegate.cancel(appName, id));
        }

        @Override
        public EurekaHttpResponse<InstanceInfo> sendHeartBeat(String appName, String id, InstanceInfo info,
                                                              InstanceInfo.InstanceStatus overriddenStatus) {
            return call(() -> delegate.sendHeartBeat(appName, id, info, overriddenStatus));
        }

        @Override
        public EurekaHttpResponse<Void> statusUpdate(String appName, String id, InstanceInfo.InstanceStatus newStatus,
                                                     InstanceInfo info) {
            return call(() -> delegate.statusUpdate(appName, id, newStatus, info));
        }

        @Override
        public EurekaHttpResponse<Void> deleteStatusOverride(String appName, String id, InstanceInfo info) {
            return call(() -> delegate.deleteStatusOverride(appName, id, info));
        }

        @Override
        public EurekaHttpResponse<Applications> getApplications(String... regions) {
            return call(() -> delegate.getApplications(regions));
        }

        @Override
        public EurekaHttpResponse<Applications> getDelta(String... regions) {
            return call(() -> delegate.getDelta(regions));
        }

        @Override
        public EurekaHttpResponse<Applications> getVip(String vipAddress, String... regions) {
            return call(() -> delegate.getVip(vipAddress, regions));
        }

        @Override
        public EurekaHttpResponse<Applications> getSecureVip(String secureVipAddress, String... regions) {
            return call(() -> delegate.getSecureVip(secureVipAddress, regions));
        }

        @Override
        public EurekaHttpResponse<Application> getApplication(String appName) {
            return call(() -> delegate.getApplication(appName));
        }

        @Override
        public EurekaHttpResponse<InstanceInfo> getInstance(String appName, String id) {
            return call(() -> delegate.getInstance(appName, id));
        }

        @Override
        public EurekaHttpResponse<InstanceInfo> getInstance(String id) {
            return call(() -> delegate.getInstance(id));
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }
    }
}
