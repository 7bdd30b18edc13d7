package dev.wsgateway.discovery.eureka;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.wsgateway.discovery.SelfRegistration;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.testsupport.EurekaServerProcess;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.wsgateway.discovery.eureka.EurekaTestSupport.await;
import static dev.wsgateway.discovery.eureka.EurekaTestSupport.registry;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * A Eureka server that wants Basic credentials on every request (Zowe's Discovery Service in HTTP mode): the gateway
 * fetches and registers with credentials from the URL or from settings; with a wrong password it stays not ready and
 * says why in one line. The password never reaches the log.
 */
class EurekaBasicAuthTest {
    private static final String USER = "zowe";
    private static final String PASSWORD = "s3cret:with-colon";
    private static final Logger ROOT = Logger.getLogger("");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<LogRecord> LOGGED = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            LOGGED.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private static EurekaServerProcess eureka;

    @BeforeAll
    static void start() {
        ROOT.addHandler(CAPTURE);
        eureka = EurekaServerProcess.start(EurekaServerProcess.freePort(), false, null, basic(USER, PASSWORD),
                                           List.of("--test.basic-auth=" + USER + ":" + PASSWORD));
    }

    @AfterAll
    static void stop() {
        eureka.close();
        ROOT.removeHandler(CAPTURE);
        for (LogRecord r : LOGGED) {
            String text = r.getMessage() + " " + (r.getParameters() == null ? "" : List.of(r.getParameters()));
            assertThat(text, not(containsString("s3cret")));
        }
    }

    @Test
    void credentialsFromSettingsFetchAndRegister() throws Exception {
        try (ServiceRegistry registry = registry(eureka.url(), Map.of("username", USER, "password", PASSWORD))) {
            registerAndSee(registry, "basic-settings");
        }
    }

    @Test
    void credentialsFromTheUrlFetchAndRegister() throws Exception {
        String url = eureka.url().replace("://", "://" + USER + ":" + PASSWORD.replace(":", "%3A") + "@");
        try (ServiceRegistry registry = registry(url, Map.of())) {
            registerAndSee(registry, "basic-url");
        }
    }

    @Test
    void aWrongPasswordLeavesItNotReadyWithOneLine() throws Exception {
        int before = lines().size();
        try (ServiceRegistry registry = registry(eureka.url(), Map.of("username", USER, "password", "wrong"))) {
            await(Duration.ofSeconds(10), () -> lines().size() > before, () -> "a line about the refusal");
            Thread.sleep(2500);
            assertThat(registry.ready(), is(false));
            List<String> lines = lines().subList(before, lines().size());
            assertThat(lines, hasSize(1));
            assertThat(lines.getFirst(), containsString("HTTP 401"));
            assertThat(lines.getFirst(), containsString("discovery.eureka.username"));
        }
    }

    private static void registerAndSee(ServiceRegistry registry, String instanceId) throws Exception {
        await(Duration.ofSeconds(15), registry::ready, () -> "ready with Basic credentials");
        int port = EurekaServerProcess.freePort();
        registry.register(new SelfRegistration("BASICGW", instanceId, "127.0.0.1", port, -1,
                                               "http://127.0.0.1:" + port + "/health",
                                               "http://127.0.0.1:" + port + "/", Map.of()));
        await(Duration.ofSeconds(15), () -> registry.instances("basicgw").stream()
                      .anyMatch(i -> i.instanceId().equals(instanceId)),
              () -> "registered and fetched back: " + registry.services());
        HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(eureka.url() + "apps")).build(),
                                                   HttpResponse.BodyHandlers.ofString());
        assertThat("the server does want credentials", anonymous.statusCode(), is(401));
        registry.deregister();
    }

    private static List<String> lines() {
        return LOGGED.stream()
                .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .map(LogRecord::getMessage)
                .filter(m -> m != null && m.startsWith("Eureka "))
                .toList();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
