package dev.wsgateway.discovery.consul;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.wsgateway.testsupport.ConsulStandIn;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * The stand-in itself, with a plain HTTP client, against what Consul's API documentation says: so the provider's
 * tests do not pass merely because the stand-in shares the provider's mistakes.
 */
class ConsulStandInTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private ConsulStandIn consul;

    @BeforeEach
    void start() {
        consul = ConsulStandIn.start();
    }

    @AfterEach
    void stop() {
        consul.close();
    }

    @Test
    void catalogListsServicesWithTheirTagsAndAnIndex() throws Exception {
        consul.register("{\"Name\": \"redis\", \"Port\": 6379, \"Tags\": [\"primary\"]}");
        HttpResponse<String> response = get("/v1/catalog/services");
        assertThat(response.statusCode(), is(200));
        assertThat(response.body(), is("{\"consul\":[],\"redis\":[\"primary\"]}"));
        assertThat(index(response), greaterThan(0L));
    }

    @Test
    void blockingQueryWaitsForAChangeOrTheWait() throws Exception {
        consul.register(ConsulRegistryTest.service("web", "web-1", 8080, "passing"));
        long index = index(get("/v1/health/service/web"));

        long start = System.nanoTime();
        HttpResponse<String> timedOut = get("/v1/health/service/web?index=" + index + "&wait=300ms");
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(waited, greaterThanOrEqualTo(300L));
        assertThat(waited, lessThan(1000L));
        assertThat(index(timedOut), is(index));

        CompletableFuture<HttpResponse<String>> blocked = HTTP.sendAsync(
                request("/v1/health/service/web?index=" + index + "&wait=10s").build(),
                HttpResponse.BodyHandlers.ofString());
        Thread.sleep(200);
        assertThat(blocked.isDone(), is(false));
        consul.checkStatus("web-1", "critical");
        HttpResponse<String> changed = blocked.get(2, TimeUnit.SECONDS);
        assertThat(index(changed), greaterThan(index));
        assertThat(changed.body(), containsString("\"Status\":\"critical\""));
        // ?passing leaves out instances with a failing check
        assertThat(get("/v1/health/service/web?passing").body(), is("[]"));
    }

    @Test
    void agentEndpointsValidateLikeConsul() throws Exception {
        assertThat(put("/v1/agent/service/register", "{\"Name\": \"x\", \"Meta\": {\"a.b\": \"c\"}}").statusCode(),
                   is(400));
        assertThat(put("/v1/agent/service/register", "{\"Port\": 1}").statusCode(), is(400));
        assertThat(put("/v1/agent/service/register", "{\"Name\": \"x\", \"Port\": 1}").statusCode(), is(200));
        assertThat(put("/v1/agent/service/deregister/x", "").statusCode(), is(200));
        assertThat(put("/v1/agent/service/deregister/x", "").statusCode(), is(404));
        assertThat(get("/v1/catalog/services?dc=elsewhere").statusCode(), is(500));
        consul.requireToken("t0k3n");
        assertThat(get("/v1/catalog/services").statusCode(), is(403));
        assertThat(HTTP.send(request("/v1/catalog/services").header("X-Consul-Token", "t0k3n").build(),
                             HttpResponse.BodyHandlers.ofString()).statusCode(), is(200));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(consul.url() + path)).timeout(Duration.ofSeconds(15));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> put(String path, String body) throws Exception {
        return HTTP.send(request(path).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                         HttpResponse.BodyHandlers.ofString());
    }

    private static long index(HttpResponse<String> response) {
        return Long.parseLong(response.headers().firstValue("X-Consul-Index").orElseThrow());
    }
}
