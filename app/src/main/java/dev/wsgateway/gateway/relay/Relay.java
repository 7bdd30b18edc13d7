package dev.wsgateway.gateway.relay;

import java.time.Duration;

import dev.wsgateway.gateway.balancing.Ejections;
import dev.wsgateway.gateway.routing.RouteResolver;

/**
 * Everything the gateway's upgrader needs to open and run sessions.
 *
 * @param resolver        routes requests to instances (in balancer order)
 * @param connector       opens upstream WebSocket connections
 * @param ejections       passive health of instances
 * @param connectAttempts instances tried for one session open (or one failover round)
 * @param connectDeadline total time for those attempts
 * @param settings        relay limits and timers
 * @param failover        live failover settings
 * @param sessions        active sessions and relay events
 */
public record Relay(RouteResolver resolver,
                    UpstreamConnector connector,
                    Ejections ejections,
                    int connectAttempts,
                    Duration connectDeadline,
                    RelaySettings settings,
                    FailoverSettings failover,
                    SessionRegistry sessions) {

    Dialer dialer() {
        return new Dialer(resolver, connector, ejections, sessions, connectAttempts, connectDeadline);
    }
}
