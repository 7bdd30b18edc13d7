package dev.wsgateway.gateway.demo;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;

/**
 * The demo echo service started beside the gateway on its embedded default, so that
 * {@code ws://localhost:10010/ws/v1/echo/anything} works right away. Built on Helidon's own WebSocket server; what a
 * session answers is {@link EchoListener}'s job.
 */
public final class EchoService {
    private final WebServer server;

    private EchoService(WebServer server) {
        this.server = server;
    }

    /**
     * Start the echo service.
     *
     * @param host host to bind
     * @param port port, {@code 0} for any free one
     * @return the running service
     */
    public static EchoService start(String host, int port) {
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .addRouting(WsRouting.builder()
                                    .endpoint("/echo", EchoListener::new)
                                    .endpoint("/echo/{+path}", EchoListener::new))
                .build()
                .start();
        return new EchoService(server);
    }

    public int port() {
        return server.port();
    }

    public void stop() {
        server.stop();
    }
}
