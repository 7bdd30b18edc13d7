package dev.wsgateway.gateway.security;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How the gateways of one cluster prove themselves to each other with the shared cluster secret
 * ({@code gateway.cluster.secret-file} / {@code secret-env}): a gateway signs each request to another gateway with an
 * HMAC-SHA256 over method, path and query, its time, a fresh nonce, its own identity and the identity of the gateway
 * it means to ask (instance id and observe port, as discovery lists them); the receiver accepts it only within the
 * replay window, once per nonce, and only when it is that gateway. The receiver signs its answer (status and a
 * SHA-256 of the body, bound to the request's nonce), and the asking gateway uses only answers signed so. Someone who
 * registers under the gateway's app name receives a request it can neither use elsewhere nor answer.
 */
public final class ClusterProof {
    /** Request header: the sender's time, milliseconds since the epoch. */
    public static final String TIME = "X-Wsgateway-Cluster-Time";
    /** Request header: a fresh random nonce (16 bytes, base64url). */
    public static final String NONCE = "X-Wsgateway-Cluster-Nonce";
    /** Request header: the sender's identity. */
    public static final String FROM = "X-Wsgateway-Cluster-From";
    /** Request header: the identity of the gateway the sender means to ask. */
    public static final String TO = "X-Wsgateway-Cluster-To";
    /** Request and answer header: the HMAC, base64url. */
    public static final String SIGNATURE = "X-Wsgateway-Cluster-Signature";

    private static final Pattern NONCE_FORMAT = Pattern.compile("[A-Za-z0-9_-]{22}");
    private static final Pattern TIME_FORMAT = Pattern.compile("[0-9]{1,15}");
    private static final int MAX_IDENTITY = 512;
    private static final int MAX_REMEMBERED = 100_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final long windowMillis;
    private final LongSupplier clock;
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private final AtomicLong nextPurge = new AtomicLong();

    /**
     * @param secret the cluster secret
     * @param window the replay window
     */
    public ClusterProof(byte[] secret, Duration window) {
        this(secret, window, System::currentTimeMillis);
    }

    ClusterProof(byte[] secret, Duration window, LongSupplier clock) {
        if (secret.length == 0) {
            throw new IllegalArgumentException("empty cluster secret");
        }
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    /**
     * A gateway's identity in signed requests: its instance id and the port of its observe endpoints.
     *
     * @param instanceId  its instance id in discovery
     * @param observePort the port of its observe endpoints
     * @return the identity
     */
    public static String identity(String instanceId, int observePort) {
        return instanceId + "#" + observePort;
    }

    /**
     * The request target as signed: the decoded path, then the query parameters sorted, each name and value
     * URL-encoded, so that both sides agree whatever encoding the HTTP client and server choose.
     *
     * @param path  decoded path
     * @param query query parameters, by name
     * @return the canonical target
     */
    public static String target(String path, Map<String, List<String>> query) {
        List<String> pairs = new ArrayList<>();
        query.forEach((name, values) -> values.forEach(value -> pairs.add(
                URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(value, StandardCharsets.UTF_8))));
        Collections.sort(pairs);
        return path + "?" + String.join("&", pairs);
    }

    /**
     * The headers that sign a request to another gateway.
     *
     * @param method HTTP method
     * @param target the request target ({@link #target})
     * @param from   this gateway's identity
     * @param to     the identity of the gateway asked
     * @return the headers, with a fresh nonce
     */
    public Signed sign(String method, String target, String from, String to) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String time = Long.toString(clock.getAsLong());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(TIME, time);
        headers.put(NONCE, nonce);
        headers.put(FROM, from);
        headers.put(TO, to);
        headers.put(SIGNATURE, mac(request(method, target, time, nonce, from, to)));
        return new Signed(Map.copyOf(headers), nonce, to);
    }

    /**
     * Check a request signed by another gateway.
     *
     * @param method HTTP method
     * @param target the request target as received ({@link #target})
     * @param header the request's headers by name
     * @param self   this gateway's identity, empty when it has none (it does not register)
     * @return the verified call, or why the request is refused
     */
    public Verdict verify(String method, String target, Function<String, Optional<String>> header,
                          Optional<String> self) {
        Optional<String> time = header.apply(TIME);
        Optional<String> nonce = header.apply(NONCE);
        Optional<String> from = header.apply(FROM);
        Optional<String> to = header.apply(TO);
        Optional<String> signature = header.apply(SIGNATURE);
        if (time.isEmpty() || nonce.isEmpty() || from.isEmpty() || to.isEmpty() || signature.isEmpty()
                || !TIME_FORMAT.matcher(time.get()).matches() || !NONCE_FORMAT.matcher(nonce.get()).matches()
                || from.get().length() > MAX_IDENTITY || to.get().length() > MAX_IDENTITY) {
            return Verdict.refused("incomplete or malformed cluster headers");
        }
        String expected = mac(request(method, target, time.get(), nonce.get(), from.get(), to.get()));
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                                   signature.get().getBytes(StandardCharsets.US_ASCII))) {
            return Verdict.refused("signature does not match the cluster secret");
        }
        if (self.isEmpty() || !self.get().equals(to.get())) {
            return Verdict.refused("signed for another gateway");
        }
        long now = clock.getAsLong();
        long sent = Long.parseLong(time.get());
        if (Math.abs(now - sent) > windowMillis) {
            return Verdict.refused("time outside the replay window");
        }
        purge(now);
        if (seen.size() >= MAX_REMEMBERED) {
            return Verdict.refused("too many cluster requests within the replay window");
        }
        if (seen.putIfAbsent(nonce.get(), sent + 2 * windowMillis) != null) {
            return Verdict.refused("nonce already used (replay)");
        }
        return new Verdict(Optional.of(new Call(nonce.get(), from.get(), to.get())), "");
    }

    /**
     * The signature of an answer to a request of another gateway, which the observe protection verified before it
     * reached the endpoint (a signed request that fails {@link #verify} is refused there).
     *
     * @param header the request's headers by name
     * @param status the answer's status
     * @param body   the answer's body
     * @return the value of the answer's {@link #SIGNATURE} header, empty when the request is not signed
     */
    public Optional<String> signAnswer(Function<String, Optional<String>> header, int status, byte[] body) {
        Optional<String> nonce = header.apply(NONCE);
        Optional<String> to = header.apply(TO);
        if (header.apply(SIGNATURE).isEmpty() || nonce.isEmpty() || to.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(mac(answer(nonce.get(), to.get(), status, body)));
    }

    /**
     * Whether an answer was signed by the gateway asked, for this request.
     *
     * @param request   the signed request
     * @param status    the answer's status
     * @param body      the answer's body
     * @param signature the answer's {@link #SIGNATURE} header
     * @return whether it is authentic
     */
    public boolean answerIsSigned(Signed request, int status, byte[] body, Optional<String> signature) {
        if (signature.isEmpty()) {
            return false;
        }
        String expected = mac(answer(request.nonce(), request.to(), status, body));
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                                     signature.get().getBytes(StandardCharsets.US_ASCII));
    }

    private static String request(String method, String target, String time, String nonce, String from, String to) {
        return String.join("\n", "wsgateway-cluster-v1 request", method, target, time, nonce, from, to);
    }

    private static String answer(String nonce, String to, int status, byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return String.join("\n", "wsgateway-cluster-v1 answer", nonce, to, Integer.toString(status),
                               Base64.getEncoder().encodeToString(digest));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private String mac(String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(input.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * Forget nonces whose request is out of the window anyway, at most once a second.
     */
    private void purge(long now) {
        long next = nextPurge.get();
        if (now >= next && nextPurge.compareAndSet(next, now + 1_000)) {
            seen.values().removeIf(expiry -> expiry < now);
        }
    }

    /**
     * A signed request.
     *
     * @param headers the headers to send
     * @param nonce   its nonce
     * @param to      the identity of the gateway asked
     */
    public record Signed(Map<String, String> headers, String nonce, String to) {
    }

    /**
     * A request another gateway of the cluster signed.
     *
     * @param nonce its nonce
     * @param from  the sender's identity
     * @param to    this gateway's identity
     */
    public record Call(String nonce, String from, String to) {
    }

    /**
     * The outcome of {@link #verify}.
     *
     * @param call   the verified call, empty when refused
     * @param reason why it was refused (fixed text, nothing from the request)
     */
    public record Verdict(Optional<Call> call, String reason) {
        static Verdict refused(String reason) {
            return new Verdict(Optional.empty(), reason);
        }
    }
}
