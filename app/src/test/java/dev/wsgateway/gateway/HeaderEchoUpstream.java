package dev.wsgateway.gateway;

import java.util.concurrent.atomic.AtomicInteger;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.http.Headers;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;

/**
 * A Helidon WebSocket upstream for security tests: on open it sends {@code authorization=<value or -none->} (what
 * reached it of the client's credentials), then echoes. Optionally with TLS (Helidon {@code server.tls} YAML).
 */
final class HeaderEchoUpstream implements AutoCloseable {
    private final WebServer server;
    private final AtomicInteger upgrades = new AtomicInteger();

    private HeaderEchoUpstream(String tlsYaml) {
        Config config = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create("server:\n  host: 127.0.0.1\n  port: 0\n" + tlsYaml,
                                                MediaTypes.APPLICATION_X_YAML))
                .build();
        this.server = WebServer.builder()
                .config(config.get("server"))
                .addRouting(WsRouting.builder().endpoint("/headers", Listener::new)
                                    .endpoint("/headers/{+path}", Listener::new))
                .build()
                .start();
    }

    static HeaderEchoUpstream plain() {
        return new HeaderEchoUpstream("");
    }

    /**
     * @param tlsYaml lines under {@code server:} (indented by two spaces), e.g. a {@code tls:} block
     */
    static HeaderEchoUpstream tls(String tlsYaml) {
        return new HeaderEchoUpstream(tlsYaml);
    }

    int port() {
        return server.port();
    }

    int upgrades() {
        return upgrades.get();
    }

    @Override
    public void close() {
        server.stop();
    }

    private final class Listener implements WsListener {
        private String authorization = "-none-";

        @Override
        public java.util.Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
            upgrades.incrementAndGet();
            if (headers.contains(HeaderNames.AUTHORIZATION)) {
                authorization = String.join(",", headers.values(HeaderNames.AUTHORIZATION));
            }
            return java.util.Optional.empty();
        }

        @Override
        public void onOpen(WsSession session) {
            session.send("authorization=" + authorization, true);
        }

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            session.send(text, last);
        }

        @Override
        public void onMessage(WsSession session, BufferData buffer, boolean last) {
            session.send(buffer, last);
        }
    }
}
