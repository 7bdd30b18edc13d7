package dev.wsgateway.gateway.observe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.gateway.http.Json;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /application/console}: the operator console, one static HTML page (inline script and style, no external
 * resource) that polls the observe endpoints beside it. It is answered with a Content-Security-Policy that allows
 * exactly its own inline script and style (by hash) and requests to its own origin, nothing else. Beside the page,
 * what only the console reads: {@code /application/console/history} (the gateway's own samples, {@link History}) and
 * {@code /application/console/discovery} (the discovery backend, whether it has a view, its last successful refresh
 * and the instances by status).
 */
public final class ConsoleService implements HttpService {
    private static final String RESOURCE = "console.html";
    private static final Pattern SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);
    private static final Pattern STYLE = Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL);
    private static final HeaderName CSP = HeaderNames.create("Content-Security-Policy");

    private final byte[] page;
    private final String policy;
    private final History history;
    private final String discoveryType;
    private final ServiceRegistry discovery;

    private ConsoleService(String page, History history, String discoveryType, ServiceRegistry discovery) {
        this.page = page.getBytes(StandardCharsets.UTF_8);
        this.history = history;
        this.discoveryType = discoveryType;
        this.discovery = discovery;
        this.policy = "default-src 'none'; script-src " + hash(SCRIPT, page) + "; style-src " + hash(STYLE, page)
                + "; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    /**
     * Load the page from the classpath.
     *
     * @param history       the gateway's samples
     * @param discoveryType discovery backend ({@code discovery.type})
     * @param discovery     discovery
     * @return the console
     */
    public static ConsoleService create(History history, String discoveryType, ServiceRegistry discovery) {
        try (InputStream in = ConsoleService.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("console page " + RESOURCE + " missing from the classpath");
            }
            return new ConsoleService(new String(in.readAllBytes(), StandardCharsets.UTF_8), history, discoveryType,
                                      discovery);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::page)
                .get("/history", (req, res) -> Json.send(res, Status.OK_200, history.json()))
                .get("/discovery", (req, res) -> Json.send(res, Status.OK_200, discoveryJson()));
    }

    private String discoveryJson() {
        StringBuilder json = new StringBuilder(256).append('{');
        Json.field(json, "type", discoveryType).append(",\"ready\":").append(discovery.ready()).append(',');
        Optional<Instant> refreshed = discovery.lastRefresh();
        if (refreshed.isPresent()) {
            Json.field(json, "lastRefresh", refreshed.get().toString()).append(",\"refreshAgeSeconds\":")
                    .append(Duration.between(refreshed.get(), Instant.now()).toMillis() / 1000.0);
        } else {
            json.append("\"lastRefresh\":null,\"refreshAgeSeconds\":null");
        }
        Map<String, Integer> byStatus = new TreeMap<>();
        Set<String> services = discovery.services();
        for (String serviceId : services) {
            for (ServiceInstance instance : discovery.instances(serviceId)) {
                byStatus.merge(instance.status().name(), 1, Integer::sum);
            }
        }
        json.append(",\"registered\":").append(discovery.registration().isPresent())
                .append(",\"services\":").append(services.size()).append(",\"instances\":{");
        String comma = "";
        for (Map.Entry<String, Integer> e : byStatus.entrySet()) {
            json.append(comma).append('"').append(e.getKey()).append("\":").append(e.getValue());
            comma = ",";
        }
        return json.append("}}").toString();
    }

    private void page(ServerRequest req, ServerResponse res) {
        res.status(Status.OK_200)
                .header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                .header(HeaderNames.CACHE_CONTROL, "no-store")
                .header(CSP, policy)
                .header(HeaderNames.create("X-Content-Type-Options"), "nosniff")
                .header(HeaderNames.create("Referrer-Policy"), "no-referrer")
                .send(page);
    }

    /**
     * The CSP source of the one element the pattern finds: {@code 'sha256-...'} of its text.
     */
    private static String hash(Pattern element, String page) {
        Matcher m = element.matcher(page);
        if (!m.find()) {
            throw new IllegalStateException("console page has no " + element.pattern());
        }
        // the browser hashes the text after its parser turned CR LF and CR into LF
        String text = m.group(1).replace("\r\n", "\n").replace('\r', '\n');
        if (m.find()) {
            throw new IllegalStateException("console page has more than one " + element.pattern());
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8));
            return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
