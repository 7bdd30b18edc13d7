package dev.wsgateway.gateway.ingress;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.wsgateway.gateway.relay.RelayListener;
import dev.wsgateway.gateway.relay.RelaySession;
import dev.wsgateway.gateway.relay.SessionInfo;

/**
 * Counts open sessions per client IP (for {@code max-sessions-per-client}) and logs which authenticated user
 * opened and closed a session. Never logs credentials.
 */
final class ClientSessions implements RelayListener {
    private static final System.Logger LOGGER = System.getLogger(ClientSessions.class.getName());

    private final Map<String, Integer> perClient = new ConcurrentHashMap<>();

    @Override
    public void sessionOpened(RelaySession session) {
        SessionInfo info = session.info();
        perClient.merge(hostOf(info.clientAddress()), 1, Integer::sum);
        if (!info.user().isEmpty()) {
            LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + " opened by user " + info.user()
                    + " (client " + info.clientAddress() + ", service " + info.serviceId() + ")");
        }
    }

    @Override
    public void sessionClosed(RelaySession session) {
        SessionInfo info = session.info();
        perClient.computeIfPresent(hostOf(info.clientAddress()), (h, n) -> n <= 1 ? null : n - 1);
        if (!info.user().isEmpty()) {
            LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + " of user " + info.user() + " closed");
        }
    }

    /**
     * Open sessions of one client IP.
     *
     * @param clientIp IP
     * @return count
     */
    int count(String clientIp) {
        return perClient.getOrDefault(clientIp, 0);
    }

    /**
     * The host part of {@code host:port} (IPv6 hosts contain colons: split at the last one).
     */
    static String hostOf(String clientAddress) {
        int colon = clientAddress.lastIndexOf(':');
        return colon < 0 ? clientAddress : clientAddress.substring(0, colon);
    }
}
