package dev.wsgateway.gateway.ingress;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class MethodTokenTest {
    private static boolean accepts(MethodToken check, String bytes) {
        byte[] b = bytes.getBytes(StandardCharsets.ISO_8859_1);
        return check.accept(b, b.length);
    }

    @Test
    void tokensPass() {
        for (String line : new String[] {"GET / HTTP/1.1\r\n", "PATCH /x HTTP/1.1\r\n", "M-SEARCH * HTTP/1.1\r\n",
                "\r\nGET / HTTP/1.1\r\n", "X!#$%&'*+-.^_`|~9 / HTTP/1.1\r\n"}) {
            assertThat(line, accepts(new MethodToken(), line), is(true));
        }
    }

    @Test
    void anythingElseInTheMethodFails() {
        for (String line : new String[] {"\\0\u000fV\u0013@I?- / HTTP/1.1\r\n", "GE(T / HTTP/1.1\r\n",
                "G\u00e9T / HTTP/1.1\r\n", "\u0000 / HTTP/1.1\r\n", "\"GET\" / HTTP/1.1\r\n"}) {
            assertThat(line, accepts(new MethodToken(), line), is(false));
        }
    }

    @Test
    void onlyTheMethodIsChecked() {
        assertThat(accepts(new MethodToken(), "GET /\u0000( HTTP/1.1\r\nX: \u0001\r\n\r\n"), is(true));
        MethodToken check = new MethodToken();
        assertThat(accepts(check, "GET"), is(true));
        assertThat(accepts(check, " /(\u0000"), is(true));
        check.reset();
        assertThat(accepts(check, "PO"), is(true));
        assertThat(accepts(check, "S(T / HTTP/1.1\r\n"), is(false));
    }

    @Test
    void aLineEndEndsTheCheck() {
        // no space before the line end: Helidon's parser answers 400 for a missing space itself
        assertThat(accepts(new MethodToken(), "GET\r\n(((\r\n"), is(true));
    }
}
