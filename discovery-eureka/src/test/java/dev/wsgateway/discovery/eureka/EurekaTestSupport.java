package dev.wsgateway.discovery.eureka;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.netflix.appinfo.ApplicationInfoManager;
import com.netflix.discovery.DiscoveryClient;
import com.netflix.discovery.Jersey3DiscoveryClientOptionalArgs;
import com.netflix.discovery.shared.transport.jersey3.Jersey3TransportClientFactories;
import dev.wsgateway.discovery.Discovery;
import dev.wsgateway.discovery.ServiceRegistry;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Shared helpers: Eureka's REST API (always JSON), registries from config, a Java service on the Netflix client,
 * and polling with a deadline.
 */
final class EurekaTestSupport {
    static final String GATEWAY_URL_KEY = "apiml.routes.ws_v1.gatewayUrl";
    static final String SERVICE_URL_KEY = "apiml.routes.ws_v1.serviceUrl";
    static final Map<String, String> SEED_METADATA = Map.of(GATEWAY_URL_KEY, "ws/v1",
                                                            SERVICE_URL_KEY, "/discoverableclient/ws");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private EurekaTestSupport() {
    }

    /** Registry through the SPI (ServiceLoader), with test timings: fetch every 1 s, heartbeat every 1 s. */
    static ServiceRegistry registry(String serviceUrl, Map<String, String> extra) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("service-url", serviceUrl);
        values.put("fetch-interval", "PT1S");
        values.put("lease-renewal-interval", "PT1S");
        values.put("lease-expiration", "PT3S");
        values.put("connect-timeout", "PT1S");
        values.put("read-timeout", "PT2S");
        values.putAll(extra);
        Config config = Config.just(ConfigSources.create(values));
        return Discovery.create("eureka", config);
    }

    /** A Java service registered with the Netflix client, as a Spring/Zowe service would be. */
    static DiscoveryClient javaService(String eurekaUrl, String app, String instanceId, int port, Map<String, String> metadata) {
        EurekaSettings settings = new EurekaSettings(java.util.List.of(eurekaUrl), 1, 1000, 2000, false, true,
                                                     java.util.Optional.empty(), 1, 3, java.util.Optional.empty(),
                                                     java.util.Optional.empty(), 0, null);
        InstanceConfig instance = new InstanceConfig(app, instanceId, "127.0.0.1", "127.0.0.1", port, -1,
                                                     "http://127.0.0.1:" + port + "/application/health",
                                                     "http://127.0.0.1:" + port + "/application/info",
                                                     "http://127.0.0.1:" + port + "/", 1, 3, metadata);
        ApplicationInfoManager manager = new ApplicationInfoManager(instance, instance.toInstanceInfo());
        return new DiscoveryClient(manager, ClientConfig.registration(settings), new Jersey3TransportClientFactories(),
                                   new Jersey3DiscoveryClientOptionalArgs());
    }

    /** {@code POST /eureka/apps/{APP}} with a JSON instance, as a statically defined (Zowe) service is registered. */
    static void restRegister(String eurekaUrl, String app, String instanceId, int port, int securePort,
                             boolean secureEnabled, Map<String, String> metadata) {
        var instance = JSON.createObjectNode();
        instance.put("instanceId", instanceId);
        instance.put("hostName", "127.0.0.1");
        instance.put("app", app);
        instance.put("ipAddr", "127.0.0.1");
        instance.put("status", "UP");
        instance.put("vipAddress", app.toLowerCase());
        instance.putObject("port").put("$", port).put("@enabled", String.valueOf(!secureEnabled));
        instance.putObject("securePort").put("$", securePort).put("@enabled", String.valueOf(secureEnabled));
        instance.putObject("dataCenterInfo")
                .put("@class", "com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo")
                .put("name", "MyOwn");
        instance.putObject("leaseInfo").put("renewalIntervalInSecs", 30).put("durationInSecs", 120);
        var meta = instance.putObject("metadata");
        metadata.forEach(meta::put);
        var body = JSON.createObjectNode();
        body.set("instance", instance);
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(eurekaUrl + "apps/" + app))
                                                     .header("Content-Type", "application/json")
                                                     .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        expect(204, response, "register " + app);
    }

    static void setStatus(String eurekaUrl, String app, String instanceId, String status) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(
                URI.create(eurekaUrl + "apps/" + app + "/" + instanceId + "/status?value=" + status))
                                                     .PUT(HttpRequest.BodyPublishers.noBody()));
        expect(200, response, "status " + status);
    }

    static void cancel(String eurekaUrl, String app, String instanceId) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(eurekaUrl + "apps/" + app + "/" + instanceId))
                                                     .DELETE());
        expect(200, response, "cancel");
    }

    /** {@code GET /eureka/apps/{APP}} as JSON, or {@code null} on 404. */
    static JsonNode app(String eurekaUrl, String app) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(eurekaUrl + "apps/" + app)).GET());
        if (response.statusCode() == 404) {
            return null;
        }
        expect(200, response, "get " + app);
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.header("Accept", "application/json").timeout(Duration.ofSeconds(5)).build(),
                             HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void expect(int status, HttpResponse<String> response, String what) {
        if (response.statusCode() != status) {
            fail(what + ": expected HTTP " + status + ", got " + response.statusCode() + " " + response.body());
        }
    }

    /**
     * Poll until the condition holds.
     *
     * @return milliseconds it took
     */
    static long await(Duration timeout, BooleanSupplier condition, Supplier<String> message) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("Not within " + timeout + ": " + message.get());
            }
            pause();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Check that the condition holds during the whole period. */
    static void holds(Duration period, BooleanSupplier condition, Supplier<String> message) {
        long deadline = System.nanoTime() + period.toNanos();
        while (System.nanoTime() < deadline) {
            if (!condition.getAsBoolean()) {
                fail("Stopped holding: " + message.get());
            }
            pause();
        }
    }

    private static void pause() {
        // between two polls of a condition with a deadline
        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
    }
}
