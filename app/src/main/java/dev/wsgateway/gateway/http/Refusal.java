package dev.wsgateway.gateway.http;

import java.util.Map;

/**
 * A handshake the gateway refuses, with the HTTP status the client gets and a short, safe message.
 */
public final class Refusal extends RuntimeException {
    private final int status;
    private final String error;
    private final Map<String, String> headers;

    /**
     * @param status  HTTP status
     * @param error   short machine-friendly error name (e.g. {@code unknown_service})
     * @param message human message (no internals)
     * @param headers extra response headers
     */
    public Refusal(int status, String error, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.headers = Map.copyOf(headers);
    }

    public Refusal(int status, String error, String message) {
        this(status, error, message, Map.of());
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
