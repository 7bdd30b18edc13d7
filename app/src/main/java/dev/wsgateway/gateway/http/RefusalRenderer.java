package dev.wsgateway.gateway.http;

import java.nio.charset.StandardCharsets;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * The one way the gateway answers a refused request: the status with its reason phrase, the refusal's headers
 * ({@code Retry-After}, {@code WWW-Authenticate}, ...) and a JSON body {@code {"status":..,"error":..,"message":..}}.
 * Used on a raw connection (the upgrade takeover) and through Helidon's routing alike.
 */
public final class RefusalRenderer {
    private RefusalRenderer() {
    }

    /**
     * The JSON body of a refusal.
     *
     * @param refusal the refusal
     * @return UTF-8 bytes
     */
    public static byte[] body(Refusal refusal) {
        return ("{\"status\":" + refusal.status() + ",\"error\":\"" + Json.escape(refusal.error())
                + "\",\"message\":\"" + Json.escape(refusal.getMessage()) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The status line's status, with its standard reason phrase.
     *
     * @param code HTTP status code
     * @return status
     */
    public static Status status(int code) {
        // Helidon 4.2 knows no reason phrase for 431
        return code == 431 ? Status.create(431, "Request Header Fields Too Large") : Status.create(code);
    }

    /**
     * A whole HTTP/1.1 response that closes the connection, for a connection the gateway took over.
     *
     * @param refusal the refusal
     * @return response bytes
     */
    public static byte[] httpResponse(Refusal refusal) {
        byte[] body = body(refusal);
        Status status = status(refusal.status());
        StringBuilder head = new StringBuilder(160)
                .append("HTTP/1.1 ").append(status.code()).append(' ').append(status.reasonPhrase()).append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Connection: close\r\n");
        refusal.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] response = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, response, 0, headBytes.length);
        System.arraycopy(body, 0, response, headBytes.length, body.length);
        return response;
    }

    /**
     * Send a refusal through Helidon's routing.
     *
     * @param res     the response
     * @param refusal the refusal
     */
    public static void send(ServerResponse res, Refusal refusal) {
        res.status(status(refusal.status()))
                .header(HeaderValues.CONTENT_TYPE_JSON);
        refusal.headers().forEach((name, value) -> res.header(HeaderNames.create(name), value));
        res.send(body(refusal));
    }
}
