package dev.wsgateway.gateway.upstream;

import java.nio.charset.StandardCharsets;

import io.helidon.http.HeaderNames;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UpgradeAnswerTest {
    private static final String SWITCHING = "HTTP/1.1 101 Switching Protocols\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            + "Set-Cookie: a=1\r\n"
            + "Set-Cookie: b=2\r\n"
            + "X-Empty:\r\n"
            + "\r\n";

    private static UpgradeAnswer parse(String head) {
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        return UpgradeAnswer.parse(bytes, bytes.length);
    }

    @Test
    void parsesStatusAndHeadersInOrder() {
        UpgradeAnswer answer = parse(SWITCHING);
        assertThat(answer.status(), is(101));
        assertThat(answer.headLength(), is(SWITCHING.length()));
        assertThat(answer.headers().first(HeaderNames.UPGRADE).orElseThrow(), is("websocket"));
        assertThat(answer.headers().values(HeaderNames.SET_COOKIE), contains("a=1", "b=2"));
        assertThat(answer.headers().first(HeaderNames.create("x-empty")).orElseThrow(), is(""));
    }

    @Test
    void bytesAfterTheHeadAreNotPartOfIt() {
        UpgradeAnswer answer = parse(SWITCHING + "\u0081\u0002hi");
        assertThat(answer.headLength(), is(SWITCHING.length()));
    }

    @Test
    void incompleteHeadAsksForMore() {
        for (int cut = 0; cut < SWITCHING.length(); cut++) {
            assertThat("cut at " + cut, parse(SWITCHING.substring(0, cut)), nullValue());
        }
    }

    @Test
    void bareLineFeedsAreAccepted() {
        UpgradeAnswer answer = parse(SWITCHING.replace("\r\n", "\n"));
        assertThat(answer.status(), is(101));
        assertThat(answer.headers().first(HeaderNames.CONNECTION).orElseThrow(), is("Upgrade"));
    }

    @Test
    void statusWithoutReasonPhrase() {
        assertThat(parse("HTTP/1.1 404\r\n\r\n").status(), is(404));
        assertThat(parse("HTTP/1.0 401 \r\nWWW-Authenticate: Basic realm=\"x\"\r\n\r\n").headers()
                           .first(HeaderNames.WWW_AUTHENTICATE).orElseThrow(), is("Basic realm=\"x\""));
    }

    @Test
    void malformedHeadsAreRefused() {
        String[] heads = {
                "HTTP/2 101 Switching\r\n\r\n",
                "HTTP/1.1 1O1 Switching\r\n\r\n",
                "HTTP/1.1 1011 Switching\r\n\r\n",
                "SSH-2.0-OpenSSH_9.2\r\n\r\n",
                "HTTP/1.1 101 OK\r\nUpgrade : websocket\r\n\r\n",
                "HTTP/1.1 101 OK\r\nno colon\r\n\r\n",
                "HTTP/1.1 101 OK\r\n: empty name\r\n\r\n",
                "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n folded\r\n\r\n",
                "HTTP/1.1 101 OK\r\nUpgrade: web\rsocket\r\n\r\n",
                "HTTP/1.1 101 OK\r\nX-Note: a\u0000b\r\n\r\n",
                "HTTP/1.1 101 OK\r\nX-Note: a\u0001b\r\n\r\n",
                "HTTP/1.1 101 OK\r\nX-Note: \u001b[31mred\r\n\r\n",
                "HTTP/1.1 101 OK\r\nX-Note: a\u000bb\r\n\r\n",
                "HTTP/1.1 101 OK\r\nX-Note: a\u007fb\r\n\r\n",
                "HTTP/1.1 101 O\u0008K\r\n\r\n",
        };
        for (String head : heads) {
            assertThrows(IllegalArgumentException.class, () -> parse(head), head);
        }
    }

    @Test
    void tabsAndObsTextAreFieldContent() {
        UpgradeAnswer answer = parse("HTTP/1.1 101 OK\r\nX-Note: a\tb caf\u00e9\r\n\r\n");
        assertThat(answer.headers().first(io.helidon.http.HeaderNames.create("X-Note")).orElseThrow(),
                   is("a\tb caf\u00e9"));
    }

    @Test
    void headsOverTheLimitAreRefused() {
        String big = "HTTP/1.1 101 OK\r\nX: " + "a".repeat(UpgradeAnswer.MAX_HEAD);
        assertThrows(IllegalArgumentException.class, () -> parse(big));
        String endsAtTheLimit = "HTTP/1.1 101 OK\r\nX: " + "a".repeat(UpgradeAnswer.MAX_HEAD - 24) + "\r\n\r\n";
        assertThat(parse(endsAtTheLimit).headLength(), is(UpgradeAnswer.MAX_HEAD));
        String endsJustPast = "HTTP/1.1 101 OK\r\nX: " + "a".repeat(UpgradeAnswer.MAX_HEAD - 23) + "\r\n\r\n";
        assertThrows(IllegalArgumentException.class, () -> parse(endsJustPast));
    }
}
