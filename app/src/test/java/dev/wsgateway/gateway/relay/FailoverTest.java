package dev.wsgateway.gateway.relay;

import java.util.Map;
import java.util.Optional;

import dev.wsgateway.gateway.upstream.ConnectFailure;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * {@link Failover}: which close a client gets when no instance continues its session, from the type of the last
 * attempt's failure.
 */
class FailoverTest {
    @Test
    void eachConnectFailureClosesTheClientWithItsRule() {
        Map<ConnectFailure, Integer> expected = Map.ofEntries(
                Map.entry(new ConnectFailure.NoInstance("s"), 1013),
                Map.entry(new ConnectFailure.NoOtherInstance("s"), 1013),
                Map.entry(new ConnectFailure.InstanceUnavailable("s", "i", "DOWN"), 1013),
                Map.entry(new ConnectFailure.UnknownService("s"), 1013),
                Map.entry(new ConnectFailure.UnknownRoute("s", "ws/v1", ""), 1013),
                Map.entry(new ConnectFailure.UnknownInstance("s", "i"), 1013),
                Map.entry(new ConnectFailure.Refused("i"), 1013),
                Map.entry(new ConnectFailure.UnknownHost("i"), 1013),
                Map.entry(new ConnectFailure.TimedOut("i"), 1013),
                Map.entry(new ConnectFailure.Broken("i"), 1013),
                Map.entry(new ConnectFailure.Rejected("i", 503, Optional.empty()), 1013),
                Map.entry(new ConnectFailure.Rejected("i", 401, Optional.of("Basic")), 1008),
                Map.entry(new ConnectFailure.Rejected("i", 403, Optional.empty()), 1008),
                Map.entry(new ConnectFailure.Rejected("i", 404, Optional.empty()), 1014),
                Map.entry(new ConnectFailure.TlsFailed("i", "PKIX path building failed"), 1014),
                Map.entry(new ConnectFailure.BadAnswer("i", "sent no Upgrade"), 1014),
                Map.entry(new ConnectFailure.Incompatible("i"), 1014));
        expected.forEach((failure, code) -> assertThat(failure.toString(), Failover.close(failure).clientCode(),
                                                       is(code)));
        assertThat(Failover.close(new ConnectFailure.Refused("i")), is(GatewayClose.FAILOVER_NO_INSTANCE));
        assertThat(Failover.close(new ConnectFailure.Rejected("i", 401, Optional.empty())),
                   is(GatewayClose.FAILOVER_CREDENTIALS_REFUSED));
        assertThat(Failover.close(new ConnectFailure.TlsFailed("i", "x")), is(GatewayClose.FAILOVER_BAD_UPSTREAM));
    }

    @Test
    void noRuleOfAFailedFailoverSendsTheLostServiceAnything() {
        for (GatewayClose rule : new GatewayClose[] {GatewayClose.FAILOVER_NO_INSTANCE,
                GatewayClose.FAILOVER_CREDENTIALS_REFUSED, GatewayClose.FAILOVER_BAD_UPSTREAM}) {
            assertThat(rule.toString(), rule.serviceCode(), is(0));
            assertThat(rule + " is a code a client may receive", WsFrames.isWireCloseCode(rule.clientCode()), is(true));
        }
    }
}
