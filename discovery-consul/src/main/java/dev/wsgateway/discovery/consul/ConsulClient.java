package dev.wsgateway.discovery.consul;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.api.WebClientConfig;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonStructure;

/**
 * The few Consul HTTP API calls the backend makes, over Helidon's {@link WebClient}: blocking reads of the catalog
 * and of a service's health, and the agent's service registration.
 * <p>
 * Every request carries the ACL token ({@code X-Consul-Token}, marked sensitive) when its environment variable is set;
 * reads carry {@code dc} when a datacenter is configured. Failures are {@link ConsulException}s whose messages hold the
 * method, path and status, never a header.
 */
final class ConsulClient {
    /** Consul's index of the state a blocking query answered with. */
    static final HeaderName INDEX = HeaderNames.create("X-Consul-Index");
    /** Consul's ACL token header. */
    static final HeaderName TOKEN = HeaderNames.create("X-Consul-Token");

    private final WebClient client;
    private final ConsulSettings settings;
    private final Optional<String> token;
    private final Duration blockingReadTimeout;

    private ConsulClient(WebClient client, ConsulSettings settings, Optional<String> token) {
        this.client = client;
        this.settings = settings;
        this.token = token;
        // Consul adds up to wait/16 to spread wake-ups; allow that and a little more before giving up on a read
        this.blockingReadTimeout = settings.waitTime().plus(settings.waitTime().dividedBy(16)).plusSeconds(5);
    }

    /**
     * A client for the configured Consul, with the token read from the configured environment variable.
     *
     * @param settings settings
     * @return client
     */
    static ConsulClient create(ConsulSettings settings) {
        Optional<String> token = Optional.ofNullable(System.getenv(settings.tokenEnv())).map(String::trim)
                .filter(t -> !t.isEmpty());
        WebClientConfig.Builder builder = WebClient.builder()
                .baseUri(settings.url().toString())
                .connectTimeout(settings.connectTimeout())
                .readTimeout(Duration.ofSeconds(10))
                .followRedirects(false)
                .shareConnectionCache(false);
        if (settings.trustStore().isPresent() || settings.keyStore().isPresent()) {
            builder.tls(tls(settings));
        }
        return new ConsulClient(builder.build(), settings, token);
    }

    /**
     * Whether an ACL token was found.
     *
     * @return {@code true} when requests carry a token
     */
    boolean hasToken() {
        return token.isPresent();
    }

    /**
     * {@code GET /v1/catalog/services}: service names and their tags, blocking while the index is still {@code index}.
     *
     * @param index last index seen, {@code 0} for an immediate answer
     * @return the answer and its index
     */
    Indexed<JsonObject> services(long index) {
        return blocking(client.get("/v1/catalog/services"), index, "/v1/catalog/services", JsonObject.class);
    }

    /**
     * {@code GET /v1/health/service/<name>}: every instance of a service with its node and checks (not only passing
     * ones: the status is mapped here, so {@code warning} can count as up), blocking while the index is {@code index}.
     *
     * @param service service name
     * @param index   last index seen, {@code 0} for an immediate answer
     * @return the answer and its index
     */
    Indexed<JsonArray> health(String service, long index) {
        return blocking(client.get("/v1/health/service/{service}").pathParam("service", service),
                        index, "/v1/health/service/" + service, JsonArray.class);
    }

    /**
     * {@code PUT /v1/agent/service/register}.
     *
     * @param registration the service definition
     */
    void register(JsonObject registration) {
        HttpClientRequest request = withToken(client.put("/v1/agent/service/register"))
                .contentType(MediaTypes.APPLICATION_JSON);
        try (HttpClientResponse response = request.submit(registration.toString())) {
            requireOk(response, "PUT /v1/agent/service/register");
        }
    }

    /**
     * {@code PUT /v1/agent/service/deregister/<id>}.
     *
     * @param serviceId the registered service ID
     */
    void deregister(String serviceId) {
        HttpClientRequest request = withToken(client.put("/v1/agent/service/deregister/{id}").pathParam("id", serviceId));
        try (HttpClientResponse response = request.submit("")) {
            requireOk(response, "PUT /v1/agent/service/deregister/" + serviceId);
        }
    }

    private <T extends JsonStructure> Indexed<T> blocking(HttpClientRequest request, long index, String path, Class<T> type) {
        withToken(request).readTimeout(blockingReadTimeout);
        settings.datacenter().ifPresent(dc -> request.queryParam("dc", dc));
        if (index > 0) {
            request.queryParam("index", Long.toString(index))
                    .queryParam("wait", settings.waitTime().toMillis() + "ms");
        }
        try (HttpClientResponse response = request.request()) {
            String body = requireOk(response, "GET " + path);
            String header = response.headers().first(INDEX)
                    .orElseThrow(() -> new ConsulException("GET " + path + ": no X-Consul-Index header in the answer"));
            long newIndex;
            try {
                newIndex = Long.parseLong(header.trim());
            } catch (NumberFormatException e) {
                throw new ConsulException("GET " + path + ": X-Consul-Index is not a number: " + header);
            }
            try (JsonReader reader = Json.createReader(new StringReader(body))) {
                JsonStructure json = reader.read();
                if (!type.isInstance(json)) {
                    throw new ConsulException("GET " + path + ": expected a JSON "
                                                      + type.getSimpleName().substring(4).toLowerCase(Locale.ROOT));
                }
                return new Indexed<>(newIndex, type.cast(json));
            } catch (jakarta.json.JsonException e) {
                throw new ConsulException("GET " + path + ": answer is not JSON: " + e.getMessage());
            }
        }
    }

    private HttpClientRequest withToken(HttpClientRequest request) {
        token.ifPresent(t -> request.header(HeaderValues.create(TOKEN, false, true, t)));
        return request;
    }

    private static String requireOk(HttpClientResponse response, String what) {
        String body = response.entity().hasEntity() ? response.as(String.class) : "";
        int code = response.status().code();
        if (code / 100 != 2) {
            String detail = body.strip();
            if (detail.length() > 200) {
                detail = detail.substring(0, 200) + "...";
            }
            throw new ConsulException(what + ": HTTP " + code + (detail.isEmpty() ? "" : " " + detail));
        }
        return body;
    }

    /**
     * TLS to Consul: the trust store (else the JVM's trust) and, when {@code tls.key-store} is set, the client
     * certificate (the key named by {@code tls.key-alias}, else the store's only key).
     */
    private static Tls tls(ConsulSettings settings) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (settings.trustStore().isPresent()) {
                Path path = settings.trustStore().get();
                String type = settings.trustStoreType()
                        .orElse(path.toString().toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12");
                KeyStore trustStore = KeyStore.getInstance(type);
                try (var in = java.nio.file.Files.newInputStream(path)) {
                    trustStore.load(in, settings.trustStorePassword().map(String::toCharArray).orElse(null));
                } catch (IOException | GeneralSecurityException e) {
                    throw new IllegalArgumentException("Cannot load discovery.consul.tls.trust-store " + path + ": "
                                                               + e.getMessage(), e);
                }
                tmf.init(trustStore);
            } else {
                tmf.init((KeyStore) null);
            }
            KeyManager[] keyManagers = null;
            if (settings.keyStore().isPresent()) {
                char[] password = settings.keyStorePassword().map(String::toCharArray).orElse(new char[0]);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(oneKey(settings, password), password);
                keyManagers = kmf.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, tmf.getTrustManagers(), null);
            return Tls.builder().sslContext(context).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot set up TLS to Consul: " + e.getMessage(), e);
        }
    }

    private static KeyStore oneKey(ConsulSettings settings, char[] password) throws GeneralSecurityException {
        Path path = settings.keyStore().orElseThrow();
        KeyStore store;
        try {
            // the type (PKCS12, JKS) is detected from the file
            store = KeyStore.getInstance(path.toFile(), password);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("Cannot load discovery.consul.tls.key-store " + path + ": "
                                                       + e.getMessage(), e);
        }
        List<String> keys = new ArrayList<>();
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                keys.add(alias);
            }
        }
        String alias = settings.keyAlias()
                .map(wanted -> keys.stream().filter(wanted::equalsIgnoreCase).findFirst().orElseThrow(
                        () -> new IllegalArgumentException("discovery.consul.tls.key-alias " + wanted
                                                                   + " names no key in " + path + " (keys: " + keys + ")")))
                .orElseGet(() -> {
                    if (keys.size() != 1) {
                        throw new IllegalArgumentException("discovery.consul.tls.key-store " + path + " holds "
                                                                   + keys.size() + " keys " + keys
                                                                   + ": set discovery.consul.tls.key-alias");
                    }
                    return keys.getFirst();
                });
        KeyStore single = KeyStore.getInstance("PKCS12");
        try {
            single.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        single.setKeyEntry(alias, store.getKey(alias, password), password, store.getCertificateChain(alias));
        return single;
    }

    /**
     * A blocking query's answer.
     *
     * @param index the {@code X-Consul-Index} it came with
     * @param value the body
     * @param <T>   body type
     */
    record Indexed<T>(long index, T value) {
    }
}
