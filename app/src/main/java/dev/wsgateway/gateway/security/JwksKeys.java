package dev.wsgateway.gateway.security;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.wsgateway.gateway.config.ZoweTokenSettings;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * The public keys the Zowe gateway publishes (a JWK set), fetched from {@code jwks-url} and kept in memory. They are
 * fetched at start (in the background), again when a token names a key id not in the set (at most once per
 * {@code refresh-min-interval}), and when they are older than {@code max-age} (the next lookup fetches them).
 * <p>
 * A fetch holds no lock: concurrent lookups that need one share the same fetch (a future) and wait for it at most
 * {@code fetch-timeout}. A failed fetch keeps the keys there were and logs one line (once per change of reason).
 */
final class JwksKeys implements ZoweJwt.KeySource {
    private static final System.Logger LOGGER = System.getLogger(JwksKeys.class.getName());

    private final ZoweTokenSettings settings;
    private final HttpClient http;
    private final LongSupplier clock;
    private final AtomicReference<Snapshot> snapshot = new AtomicReference<>(new Snapshot(Map.of(), Long.MIN_VALUE));
    private final AtomicReference<CompletableFuture<Snapshot>> inFlight = new AtomicReference<>();
    private volatile long lastAttemptNanos = Long.MIN_VALUE;
    private volatile String lastProblem;

    private record Snapshot(Map<String, PublicKey> byKid, long fetchedNanos) {
    }

    JwksKeys(ZoweTokenSettings settings, LongSupplier nanoClock) {
        this.settings = settings;
        this.clock = nanoClock;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(settings.fetchTimeout());
        settings.trustStore().ifPresent(path -> builder.sslContext(sslContext(settings)));
        this.http = builder.build();
    }

    /**
     * Fetch the keys in the background (at start).
     */
    void prefetch() {
        refresh();
    }

    @Override
    public List<PublicKey> keys(Optional<String> kid) {
        Snapshot current = snapshot.get();
        long now = clock.getAsLong();
        long lastAttempt = lastAttemptNanos;
        boolean due = lastAttempt == Long.MIN_VALUE || now - lastAttempt >= settings.refreshMinInterval().toNanos();
        boolean stale = current.fetchedNanos() == Long.MIN_VALUE
                || now - current.fetchedNanos() > settings.maxAge().toNanos();
        boolean unknown = kid.isPresent() && !current.byKid().containsKey(kid.get());
        if (due && (stale || unknown)) {
            current = awaitRefresh(current);
        }
        if (kid.isPresent()) {
            PublicKey key = current.byKid().get(kid.get());
            return key == null ? List.of() : List.of(key);
        }
        return List.copyOf(current.byKid().values());
    }

    private Snapshot awaitRefresh(Snapshot current) {
        try {
            return refresh().get(settings.fetchTimeout().toMillis() * 2, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return current;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return snapshot.get();
        }
    }

    /**
     * Start a fetch unless one is under way.
     *
     * @return the fetch (completes with the snapshot in use after it, never exceptionally)
     */
    private CompletableFuture<Snapshot> refresh() {
        CompletableFuture<Snapshot> mine = new CompletableFuture<>();
        CompletableFuture<Snapshot> running = inFlight.compareAndExchange(null, mine);
        if (running != null) {
            return running;
        }
        lastAttemptNanos = clock.getAsLong();
        Thread.ofVirtual().name("jwks-fetch").start(() -> {
            try {
                Map<String, PublicKey> keys = fetch();
                Snapshot next = new Snapshot(keys, clock.getAsLong());
                snapshot.set(next);
                if (lastProblem != null) {
                    LOGGER.log(System.Logger.Level.INFO, "Zowe JWT keys fetched again from {0}: {1} keys",
                               settings.jwksUrl(), keys.size());
                }
                lastProblem = null;
            } catch (IOException | RuntimeException e) {
                problem(e instanceof IOException ? e.getClass().getSimpleName() + ": " + e.getMessage()
                                : String.valueOf(e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.set(null);
                mine.complete(snapshot.get());
            }
        });
        return mine;
    }

    private Map<String, PublicKey> fetch() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(settings.jwksUrl())
                .header("Accept", "application/json")
                .timeout(settings.fetchTimeout())
                .GET()
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode());
        }
        return parse(response.body());
    }

    /**
     * Parse a JWK set: RSA ({@code n}, {@code e}) and EC ({@code crv} P-256/384/521, {@code x}, {@code y}) keys;
     * others (and keys marked for encryption only) are skipped. A key without {@code kid} gets its index as id.
     *
     * @param json the set
     * @return keys by id
     */
    static Map<String, PublicKey> parse(String json) {
        JsonObject set;
        try (var reader = Json.createReader(new StringReader(json))) {
            set = reader.readObject();
        } catch (RuntimeException e) {
            throw new IllegalStateException("the key set is not a JSON object");
        }
        Map<String, PublicKey> keys = new HashMap<>();
        List<JsonValue> entries = set.containsKey("keys") ? set.getJsonArray("keys") : List.of();
        for (int i = 0; i < entries.size(); i++) {
            if (!(entries.get(i) instanceof JsonObject jwk) || "enc".equals(text(jwk, "use"))) {
                continue;
            }
            String kid = Optional.ofNullable(text(jwk, "kid")).orElse("#" + i);
            try {
                PublicKey key = switch (String.valueOf(text(jwk, "kty"))) {
                    case "RSA" -> KeyFactory.getInstance("RSA").generatePublic(
                            new RSAPublicKeySpec(number(jwk, "n"), number(jwk, "e")));
                    case "EC" -> ec(jwk);
                    default -> null;
                };
                if (key != null) {
                    keys.put(kid, key);
                }
            } catch (GeneralSecurityException | RuntimeException e) {
                LOGGER.log(System.Logger.Level.WARNING, "Zowe JWT key set: skipping key {0}: {1}",
                           ZoweJwt.printable(kid), e.getClass().getSimpleName());
            }
        }
        return Map.copyOf(keys);
    }

    private static PublicKey ec(JsonObject jwk) throws GeneralSecurityException {
        String curve = switch (String.valueOf(text(jwk, "crv"))) {
            case "P-256" -> "secp256r1";
            case "P-384" -> "secp384r1";
            case "P-521" -> "secp521r1";
            default -> throw new GeneralSecurityException("unsupported curve");
        };
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec(curve));
        ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
        BigInteger x = number(jwk, "x");
        BigInteger y = number(jwk, "y");
        // the JDK does not check that the point is on the curve: y^2 = x^3 + ax + b (mod p)
        BigInteger p = ((ECFieldFp) spec.getCurve().getField()).getP();
        BigInteger right = x.pow(3).add(spec.getCurve().getA().multiply(x)).add(spec.getCurve().getB()).mod(p);
        if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0 || !y.modPow(BigInteger.TWO, p).equals(right)) {
            throw new GeneralSecurityException("point not on the curve");
        }
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), spec));
    }

    private static String text(JsonObject jwk, String key) {
        return jwk.get(key) instanceof JsonString s ? s.getString() : null;
    }

    private static BigInteger number(JsonObject jwk, String key) {
        String value = text(jwk, key);
        if (value == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return new BigInteger(1, Base64.getUrlDecoder().decode(value));
    }

    private void problem(String reason) {
        String line = "Zowe JWT keys cannot be fetched from " + settings.jwksUrl() + ": " + ZoweJwt.printable(reason, 200)
                + " (tokens naming an unknown key are refused; keys already fetched stay in use)";
        if (!line.equals(lastProblem)) {
            lastProblem = line;
            LOGGER.log(System.Logger.Level.WARNING, line);
        }
    }

    private static SSLContext sslContext(ZoweTokenSettings settings) {
        Path path = settings.trustStore().orElseThrow();
        try {
            KeyStore store = KeyStore.getInstance(path.toFile(),
                                                  settings.trustStorePassword().map(String::toCharArray).orElse(null));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot load gateway.security.zowe-jwt.trust-store " + path + ": "
                                                       + e.getMessage());
        }
    }
}
