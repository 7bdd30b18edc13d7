package dev.wsgateway.gateway.observe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * exactly its own inline script and style (by hash) and requests to its own origin, nothing else.
 */
public final class ConsoleService implements HttpService {
    private static final String RESOURCE = "console.html";
    private static final Pattern SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);
    private static final Pattern STYLE = Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL);
    private static final HeaderName CSP = HeaderNames.create("Content-Security-Policy");

    private final byte[] page;
    private final String policy;

    private ConsoleService(String page) {
        this.page = page.getBytes(StandardCharsets.UTF_8);
        this.policy = "default-src 'none'; script-src " + hash(SCRIPT, page) + "; style-src " + hash(STYLE, page)
                + "; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    /**
     * Load the page from the classpath.
     *
     * @return the console
     */
    public static ConsoleService create() {
        try (InputStream in = ConsoleService.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("console page " + RESOURCE + " missing from the classpath");
            }
            return new ConsoleService(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::page);
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
