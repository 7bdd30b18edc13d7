package dev.wsgateway.gateway.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRoute;
import dev.wsgateway.gateway.http.HandshakeKeys;

/**
 * A raw upstream on a loopback {@link ServerSocket}: reads each connection's request head, then runs a script that
 * writes whatever answer a test needs (a trickled 101, a refusal, a hostile header), and keeps the connection open
 * until closed.
 */
final class ScriptedUpstream implements AutoCloseable {
    /**
     * What the upstream answers.
     */
    interface Script {
        /**
         * @param key the request's {@code Sec-WebSocket-Key}
         * @param out the connection
         */
        void answer(String key, OutputStream out) throws Exception;
    }

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    private ScriptedUpstream(Script script) throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(socket, script));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    static ScriptedUpstream start(Script script) throws IOException {
        return new ScriptedUpstream(script);
    }

    /**
     * An upstream that answers a valid 101 with these extra header lines (each ending in CRLF) and then these bytes.
     */
    static ScriptedUpstream switching(String extraHeaders, byte[] after) throws IOException {
        return start((key, out) -> {
            // one write: the bytes after the head arrive with it, as a 101 followed at once by a frame does
            byte[] head = switchingHead(key, extraHeaders).getBytes(StandardCharsets.ISO_8859_1);
            byte[] all = Arrays.copyOf(head, head.length + after.length);
            System.arraycopy(after, 0, all, head.length, after.length);
            out.write(all);
            out.flush();
        });
    }

    static String switchingHead(String key, String extraHeaders) {
        return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + HandshakeKeys.accept(key) + "\r\n" + extraHeaders + "\r\n";
    }

    int port() {
        return server.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    List<String> requests() {
        return requests;
    }

    UpstreamTarget target(String instanceId) {
        return target(instanceId, port());
    }

    static UpstreamTarget target(String instanceId, int port) {
        ServiceInstance instance = new ServiceInstance("echo", instanceId, "127.0.0.1", port, false,
                                                       InstanceStatus.UP, Map.of());
        return new UpstreamTarget(instance, new ServiceRoute("ws_v1", "ws/v1", "/echo"),
                                  URI.create("ws://127.0.0.1:" + port + "/echo"));
    }

    private void serve(Socket socket, Script script) {
        try {
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                String text = head.toString(StandardCharsets.ISO_8859_1);
                if (text.endsWith("\r\n\r\n")) {
                    break;
                }
            }
            String request = head.toString(StandardCharsets.ISO_8859_1);
            requests.add(request);
            String key = "";
            for (String line : request.split("\r\n")) {
                if (line.regionMatches(true, 0, "Sec-WebSocket-Key:", 0, 18)) {
                    key = line.substring(18).trim();
                }
            }
            script.answer(key, socket.getOutputStream());
        } catch (Exception e) {
            // the connector gave up or the test ended
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
