package dev.wsgateway.gateway.observe;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.wsgateway.gateway.observe.GatewayPeers.Gateway;

import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;

/**
 * Asks the other gateways' observe endpoints, all at once, each on a virtual thread of its own: every peer has until a
 * common deadline to answer. A peer that fails or does not answer in time comes back as a failed {@link Answer} with
 * the reason, never as an exception. The operator's {@code Authorization} is passed on, marked sensitive (never
 * logged), so protected observe endpoints answer across the cluster.
 */
public final class PeerClient implements AutoCloseable {
    private final WebClient client;
    private final Duration timeout;
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("wsgateway-peer-", 0).factory());

    /**
     * @param timeout bound of one peer's connect and answer ({@code gateway.cluster.peer-timeout})
     * @param tls     client TLS towards peers serving their observe endpoints over https ({@code gateway.cluster.tls})
     */
    public PeerClient(Duration timeout, Tls tls) {
        this.timeout = timeout;
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
     * @param authorization the operator's {@code Authorization} header, passed on
     * @param within        how long the peers have
     * @return one answer per peer, in the order of {@code peers}
     */
    List<Answer> ask(List<Gateway> peers, Method method, String path, Map<String, String> query,
                     Optional<String> authorization, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        List<Future<Answer>> calls = new ArrayList<>();
        for (Gateway peer : peers) {
            calls.add(threads.submit(() -> call(peer, method, path, query, authorization, within)));
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

    private Answer call(Gateway peer, Method method, String path, Map<String, String> query,
                        Optional<String> authorization, Duration within) {
        long start = System.nanoTime();
        try {
            HttpClientRequest request = client.method(method)
                    .uri(peer.observe().resolve(path))
                    .readTimeout(within);
            query.forEach(request::queryParam);
            authorization.ifPresent(value -> request.header(HeaderValues.create(HeaderNames.AUTHORIZATION, false, true,
                                                                                value)));
            try (HttpClientResponse response = request.request()) {
                String body = response.entity().hasEntity() ? response.as(String.class) : "";
                return new Answer(peer, response.status().code(), body, null, System.nanoTime() - start);
            }
        } catch (RuntimeException e) {
            return Answer.failed(peer, reason(e, within), System.nanoTime() - start);
        }
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
