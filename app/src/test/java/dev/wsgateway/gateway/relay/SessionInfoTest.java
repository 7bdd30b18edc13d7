package dev.wsgateway.gateway.relay;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class SessionInfoTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/ws/v1/echo/room|/ws/v1/echo/room",
            "/ws/v1/echo/room?|/ws/v1/echo/room?",
            "/ws/v1/echo/room?token=s3cr3t|/ws/v1/echo/room?token=***",
            "/ws/v1/echo/room?token=s3cr3t&user=bob|/ws/v1/echo/room?token=***&user=***",
            "/ws/v1/echo/room?flag&token=a=b|/ws/v1/echo/room?***&token=***",
            "/ws/v1/echo/room?empty=&&x=1|/ws/v1/echo/room?empty=***&&x=***",
            // the fragment after a query is dropped
            "/ws/v1/echo/room?token=s3cr3t#frag|/ws/v1/echo/room?token=***",
            // request targets carry no fragment; a '?' inside one is redacted too (more than needed, never less)
            "/ws/v1/echo/room#frag?x=1|/ws/v1/echo/room#frag?x=***",
            "wss://host:8443/echo/ws/room?api_key=k&n=1|wss://host:8443/echo/ws/room?api_key=***&n=***",
            "ws://host:80/a%3Fb/c?q=%20x|ws://host:80/a%3Fb/c?q=***"
    })
    void queryValuesAreReplacedNamesAndPathKept(String in, String out) {
        assertThat(SessionInfo.redactQuery(in), is(out));
    }
}
