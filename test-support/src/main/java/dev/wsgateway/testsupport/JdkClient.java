package dev.wsgateway.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.hamcrest.Matcher;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * A client on the JDK's {@code java.net.http.WebSocket} that collects what it receives (whole text and binary
 * messages, the close), for the tests of every module.
 */
public final class JdkClient implements WebSocket.Listener, AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /**
     * Something received: a whole text or binary message, or the close.
     */
    public record Received(String text, byte[] binary, int closeCode, String closeReason) {
        public boolean isClose() {
            return closeCode != 0;
        }
    }

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final StringBuilder text = new StringBuilder();
    private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();
    private final CompletableFuture<Received> closed = new CompletableFuture<>();
    private WebSocket ws;

    public static JdkClient connect(URI uri) throws Exception {
        return connect(uri, Map.of(), List.of());
    }

    public static JdkClient connect(URI uri, Map<String, String> headers, List<String> subprotocols) throws Exception {
        return connect(HTTP, uri, headers, subprotocols);
    }

    /**
     * Connect with a client of the test's (e.g. one that trusts a test CA).
     */
    public static JdkClient connect(HttpClient http, URI uri) throws Exception {
        return connect(http, uri, Map.of(), List.of());
    }

    private static JdkClient connect(HttpClient http, URI uri, Map<String, String> headers, List<String> subprotocols)
            throws Exception {
        JdkClient client = new JdkClient();
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        headers.forEach(builder::header);
        if (!subprotocols.isEmpty()) {
            builder.subprotocols(subprotocols.getFirst(),
                                 subprotocols.subList(1, subprotocols.size()).toArray(String[]::new));
        }
        client.ws = builder.buildAsync(uri, client).get(20, TimeUnit.SECONDS);
        return client;
    }

    /**
     * Try to connect and return the HTTP status of the refused handshake.
     */
    public static int refusedStatus(URI uri, Map<String, String> headers) throws Exception {
        try {
            JdkClient client = connect(uri, headers, List.of());
            client.abort();
            throw new AssertionError("handshake to " + uri + " was accepted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
            throw e;
        }
    }

    public WebSocket ws() {
        return ws;
    }

    public String subprotocol() {
        return ws.getSubprotocol();
    }

    public void sendText(String message) throws Exception {
        ws.sendText(message, true).get(10, TimeUnit.SECONDS);
    }

    public void sendBinary(byte[] message) throws Exception {
        ws.sendBinary(ByteBuffer.wrap(message), true).get(10, TimeUnit.SECONDS);
    }

    public void close(int code, String reason) throws Exception {
        ws.sendClose(code, reason).get(10, TimeUnit.SECONDS);
    }

    public void abort() {
        ws.abort();
    }

    public Received next() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("nothing received within 10 s");
        }
        return r;
    }

    public String nextText() throws InterruptedException {
        Received r = next();
        if (r.text() == null) {
            throw new AssertionError("expected a text message, got " + r);
        }
        return r.text();
    }

    /**
     * The close the client received (waits up to the timeout).
     */
    public Received awaitClose(Duration timeout) throws Exception {
        return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Assert the close the client receives within 5 s: its code and its reason.
     */
    public Received assertClosed(int code, Matcher<? super String> reason) throws Exception {
        return assertClosed(Duration.ofSeconds(5), code, reason);
    }

    /**
     * Assert the close the client receives within the timeout: its code and its reason.
     */
    public Received assertClosed(Duration within, int code, Matcher<? super String> reason) throws Exception {
        Received close = awaitClose(within);
        assertThat("close code of " + close, close.closeCode(), is(code));
        assertThat("close reason of " + close, close.closeReason(), reason);
        return close;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            received.add(new Received(text.toString(), null, 0, null));
            text.setLength(0);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        binary.writeBytes(bytes);
        if (last) {
            received.add(new Received(null, binary.toByteArray(), 0, null));
            binary.reset();
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        Received r = new Received(null, null, statusCode, reason);
        received.add(r);
        closed.complete(r);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        Received r = new Received(null, null, 1006, String.valueOf(error));
        received.add(r);
        closed.complete(r);
    }

    @Override
    public void close() {
        if (ws != null && !ws.isOutputClosed()) {
            try {
                ws.sendClose(1000, "done").get(2, TimeUnit.SECONDS);
                closed.get(2, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // aborted below
            }
        }
        if (ws != null) {
            ws.abort();
        }
    }
}
