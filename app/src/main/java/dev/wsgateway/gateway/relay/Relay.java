package dev.wsgateway.gateway.relay;

import dev.wsgateway.gateway.config.FailoverSettings;
import dev.wsgateway.gateway.config.RelaySettings;
import dev.wsgateway.gateway.upstream.Dialer;
import dev.wsgateway.gateway.upstream.UpstreamRequest;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.webserver.spi.ServerConnection;

/**
 * Starts relayed sessions: what the upgrade takeover hands over once both handshakes are done.
 */
public final class Relay {
    private final RelaySettings settings;
    private final FailoverSettings failover;
    private final SessionRegistry sessions;
    private final Dialer dialer;

    /**
     * @param settings relay limits and timers
     * @param failover live failover settings
     * @param sessions active sessions and relay events
     * @param dialer   opens upstreams (failover reuses it)
     */
    public Relay(RelaySettings settings, FailoverSettings failover, SessionRegistry sessions, Dialer dialer) {
        this.settings = settings;
        this.failover = failover;
        this.sessions = sessions;
        this.dialer = dialer;
    }

    public Dialer dialer() {
        return dialer;
    }

    public SessionRegistry sessions() {
        return sessions;
    }

    /**
     * The session that takes over the client's connection once the client has its 101.
     *
     * @param info           the session
     * @param request        the upstream request (repeated on failover)
     * @param clientSocket   the client's connection
     * @param clientLeftover bytes the client sent after its handshake, already read
     * @param dialed         the connected upstream
     * @return the connection Helidon runs
     */
    public ServerConnection start(SessionInfo info, UpstreamRequest request, HelidonSocket clientSocket,
                                  byte[] clientLeftover, Dialer.Dialed dialed) {
        Leg client = Leg.client(clientSocket, clientLeftover, settings.closeTimeout());
        Leg upstream = Leg.upstream(dialed.link());
        boolean failoverEnabled = failover.enabledFor(dialed.target().instance(), dialed.target().route());
        FailoverSettings.Acknowledge acknowledge = failover.acknowledgeFor(dialed.target().instance(),
                                                                           dialed.target().route());
        return new RelaySession(info, settings, failover, failoverEnabled, acknowledge, sessions, dialer, request,
                                dialed.link().extensions(), client, upstream);
    }
}
