package dev.wsgateway.gateway.observe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.wsgateway.gateway.http.Refusal;
import dev.wsgateway.gateway.http.RefusalRenderer;
import dev.wsgateway.gateway.observe.GatewayPeers.Gateway;
import dev.wsgateway.gateway.security.ClusterProof;

import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Asks the other gateways' observe endpoints, all at once, each on a virtual thread of its own: every peer has until a
 * common deadline to answer. A peer that fails or does not answer in time comes back as a failed {@link Answer} with
 * the reason, never as an exception. Each request is signed with the cluster secret ({@link ClusterProof}), nothing of
 * the operator's request is passed on (no {@code Authorization}: this gateway authorised the operator), and an answer
 * counts only when it is signed by the gateway asked and no larger than {@code gateway.cluster.max-answer-bytes}.
 */
public final class PeerClient implements AutoCloseable {
    private final WebClient client;
    private final Duration timeout;
    private final int maxAnswerBytes;
    private final Optional<ClusterProof> proof;
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("wsgateway-peer-", 0).factory());

    /**
     * @param timeout        bound of one peer's connect and answer ({@code gateway.cluster.peer-timeout})
     * @param tls            client TLS towards peers serving their observe endpoints over https
     *                       ({@code gateway.cluster.tls})
     * @param maxAnswerBytes the largest answer read from a peer
     * @param proof          signs requests and checks answers; empty when the cluster view is off (no peer is asked)
     */
    public PeerClient(Duration timeout, Tls tls, int maxAnswerBytes, Optional<ClusterProof> proof) {
        this.timeout = timeout;
        this.maxAnswerBytes = maxAnswerBytes;
        this.proof = proof;
        this.client = WebClient.builder()
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .followRedirects(false)
                .shareConnectionCache(false)
                .tls(tls)
                .build();
    }

    /**
     * The peer timeout.
     *
     * @return how long one peer may take
     */
    Duration timeout() {
        return timeout;
    }

    /**
     * Send one request to every peer at once and wait for the answers, at most {@code within}.
     *
     * @param peers         the gateways to ask
     * @param method        HTTP method
     * @param path          absolute path on their observe endpoints
     * @param query         query parameters
     * @param self          this gateway (the sender of the signed requests)
     * @param within        how long the peers have
     * @return one answer per peer, in the order of {@code peers}
     */
    List<Answer> ask(List<Gateway> peers, Method method, String path, Map<String, String> query, Gateway self,
                     Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        List<Future<Answer>> calls = new ArrayList<>();
        for (Gateway peer : peers) {
            calls.add(threads.submit(() -> call(peer, method, path, query, self, within, deadline)));
        }
        List<Answer> answers = new ArrayList<>();
        for (int i = 0; i < peers.size(); i++) {
            Future<Answer> call = calls.get(i);
            Gateway peer = peers.get(i);
            try {
                answers.add(call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                call.cancel(true);
                answers.add(Answer.failed(peer, "no answer within " + within.toMillis() + " ms", within.toNanos()));
            } catch (ExecutionException e) {
                answers.add(Answer.failed(peer, reason(e.getCause(), within), 0));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                call.cancel(true);
                answers.add(Answer.failed(peer, "interrupted", 0));
            }
        }
        return answers;
    }

    private Answer call(Gateway peer, Method method, String path, Map<String, String> query, Gateway self,
                        Duration within, long deadline) {
        long start = System.nanoTime();
        if (proof.isEmpty()) {
            return Answer.failed(peer, "the cluster view is off on this gateway", 0);
        }
        Map<String, List<String>> signedQuery = new TreeMap<>();
        query.forEach((name, value) -> signedQuery.put(name, List.of(value)));
        ClusterProof.Signed signed = proof.get().sign(method.text(), ClusterProof.target(path, signedQuery),
                                                      self.identity(), peer.identity());
        try {
            HttpClientRequest request = client.method(method)
                    .uri(peer.observe().resolve(path))
                    .readTimeout(within);
            query.forEach(request::queryParam);
            signed.headers().forEach((name, value) -> request.header(HeaderNames.create(name), value));
            try (HttpClientResponse response = request.request()) {
                int status = response.status().code();
                byte[] body = response.entity().hasEntity() ? read(response, deadline) : new byte[0];
                if (body == null) {
                    return Answer.failed(peer, "answer larger than " + maxAnswerBytes + " bytes",
                                         System.nanoTime() - start);
                }
                if (!proof.get().answerIsSigned(signed, status, body,
                                                 response.headers().first(HeaderNames.create(ClusterProof.SIGNATURE)))) {
                    return Answer.failed(peer, "HTTP " + status + " without the cluster signature: " + (status == 401
                            ? "the peer refused this gateway's (another cluster secret, clocks further apart than the "
                                    + "replay window, or no cluster view there)"
                            : "not a gateway of this cluster"), System.nanoTime() - start);
                }
                return new Answer(peer, status, new String(body, StandardCharsets.UTF_8), null,
                                  System.nanoTime() - start);
            }
        } catch (RuntimeException | IOException e) {
            return Answer.failed(peer, reason(e, within), System.nanoTime() - start);
        }
    }

    /**
     * The answer's body, at most {@link #maxAnswerBytes} and until the deadline; {@code null} when it is larger.
     */
    private byte[] read(HttpClientResponse response, long deadline) throws IOException {
        long length = response.headers().contentLength().orElse(-1);
        if (length > maxAnswerBytes) {
            return null;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(length > 0 ? (int) length : 1024);
        byte[] buffer = new byte[8192];
        try (InputStream in = response.inputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (body.size() + n > maxAnswerBytes) {
                    return null;
                }
                body.write(buffer, 0, n);
                if (System.nanoTime() - deadline > 0) {
                    throw new SocketTimeoutException("answer not complete at the deadline");
                }
            }
        }
        return body.toByteArray();
    }

    /**
     * Send an observe endpoint's answer: to a request of another gateway, signed with the cluster secret (the
     * observe protection verified the request before it reached the endpoint).
     *
     * @param req    the request
     * @param res    the response
     * @param status status
     * @param json   the JSON document
     */
    void send(ServerRequest req, ServerResponse res, Status status, CharSequence json) {
        byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
        proof.flatMap(p -> p.signAnswer(name -> req.headers().first(HeaderNames.create(name)), status.code(), body))
                .ifPresent(signature -> res.header(HeaderNames.create(ClusterProof.SIGNATURE), signature));
        res.status(status).header(HeaderValues.CONTENT_TYPE_JSON).send(body);
    }

    /**
     * Send a refusal of an observe endpoint, signed like {@link #send}.
     *
     * @param req     the request
     * @param res     the response
     * @param refusal the refusal
     */
    void send(ServerRequest req, ServerResponse res, Refusal refusal) {
        refusal.headers().forEach((name, value) -> res.header(HeaderNames.create(name), value));
        send(req, res, RefusalRenderer.status(refusal.status()),
             new String(RefusalRenderer.body(refusal), StandardCharsets.UTF_8));
    }

    /**
     * A short reason for a failed call, from the innermost cause (no stack trace, no header values).
     */
    static String reason(Throwable failure, Duration within) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return switch (cause) {
            case ConnectException e -> "connection refused";
            case SocketTimeoutException e -> "no answer within " + within.toMillis() + " ms";
            case UnknownHostException e -> "unknown host " + e.getMessage();
            default -> cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        };
    }

    @Override
    public void close() {
        threads.shutdownNow();
        client.closeResource();
    }

    /**
     * What one peer said.
     *
     * @param peer    the peer
     * @param status  HTTP status, {@code 0} when it did not answer
     * @param body    its body
     * @param failure why it did not answer, {@code null} when it did
     * @param nanos   how long it took
     */
    record Answer(Gateway peer, int status, String body, String failure, long nanos) {
        static Answer failed(Gateway peer, String failure, long nanos) {
            return new Answer(peer, 0, "", failure, nanos);
        }

        boolean answered() {
            return failure == null;
        }
    }
}
