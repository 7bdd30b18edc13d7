package dev.wsgateway.gateway.http;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import jakarta.json.JsonObject;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

class RefusalRendererTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "400|Bad Request",
            "401|Unauthorized",
            "403|Forbidden",
            "404|Not Found",
            "426|Upgrade Required",
            "429|Too Many Requests",
            "431|Request Header Fields Too Large",
            "502|Bad Gateway",
            "503|Service Unavailable",
            "504|Gateway Timeout"
    })
    void statusLineHasTheStandardReasonPhrase(int code, String phrase) {
        assertThat(RefusalRenderer.status(code).reasonPhrase(), is(phrase));
        String response = new String(RefusalRenderer.httpResponse(new Refusal(code, "x", "y")),
                                     StandardCharsets.ISO_8859_1);
        assertThat(response, startsWith("HTTP/1.1 " + code + " " + phrase + "\r\n"));
    }

    @Test
    void wholeResponseWithHeadersAndBody() {
        Refusal refusal = new Refusal(503, "no_instance", "No instance of echo is UP", Map.of("Retry-After", "5"));
        String response = new String(RefusalRenderer.httpResponse(refusal), StandardCharsets.UTF_8);
        String body = "{\"status\":503,\"error\":\"no_instance\",\"message\":\"No instance of echo is UP\"}";
        assertThat(response, is("HTTP/1.1 503 Service Unavailable\r\n"
                                        + "Content-Type: application/json\r\n"
                                        + "Content-Length: " + body.length() + "\r\n"
                                        + "Connection: close\r\n"
                                        + "Retry-After: 5\r\n"
                                        + "\r\n"
                                        + body));
    }

    @Test
    void extraHeadersAsGiven() {
        Refusal refusal = new Refusal(426, "unsupported_version", "Only version 13",
                                      Map.of("Sec-WebSocket-Version", "13"));
        String response = new String(RefusalRenderer.httpResponse(refusal), StandardCharsets.UTF_8);
        assertThat(response, containsString("\r\nSec-WebSocket-Version: 13\r\n"));
        refusal = new Refusal(401, "unauthorized", "Credentials required",
                              Map.of("WWW-Authenticate", "Basic realm=\"gateway\""));
        response = new String(RefusalRenderer.httpResponse(refusal), StandardCharsets.UTF_8);
        assertThat(response, containsString("\r\nWWW-Authenticate: Basic realm=\"gateway\"\r\n"));
    }

    @Test
    void bodyIsEscapedJsonAndContentLengthCountsBytes() {
        Refusal refusal = new Refusal(400, "bad\"path", "quote \" backslash \\ newline \n tab \t é €");
        byte[] body = RefusalRenderer.body(refusal);
        String json = new String(body, StandardCharsets.UTF_8);
        assertThat(json, is("{\"status\":400,\"error\":\"bad\\\"path\",\"message\":\"quote \\\" backslash \\\\ "
                                    + "newline \\u000a tab \\u0009 é €\"}"));
        JsonObject parsed = jakarta.json.Json.createReader(new StringReader(json)).readObject();
        assertThat(parsed.getInt("status"), is(400));
        assertThat(parsed.getString("error"), is("bad\"path"));
        assertThat(parsed.getString("message"), is("quote \" backslash \\ newline \n tab \t é €"));
        String response = new String(RefusalRenderer.httpResponse(refusal), StandardCharsets.UTF_8);
        assertThat(response, containsString("Content-Length: " + body.length + "\r\n"));
        assertThat(body.length, not(json.length()));
    }
}
