package dev.wsgateway.gateway.ingress;

import java.util.Map;
import java.util.HashMap;

import dev.wsgateway.gateway.relay.RelayListener;
import dev.wsgateway.gateway.relay.RelaySession;
import dev.wsgateway.gateway.relay.SessionInfo;

/**
 * Counts sessions in total and per client IP (for {@code max-sessions} and {@code max-sessions-per-client}), from
 * the moment a handshake passes the limits (a reservation) until the session ends or the handshake fails, so that
 * concurrent handshakes cannot exceed a limit. Logs which authenticated user opened and closed a session; never logs
 * credentials.
 */
final class ClientSessions implements RelayListener {
    private static final System.Logger LOGGER = System.getLogger(ClientSessions.class.getName());

    private final Map<String, Integer> perClient = new HashMap<>();
    private int total;

    /**
     * What {@link #reserve} decided.
     */
    enum Reservation {
        /** A place is reserved: release it if the handshake fails. */
        RESERVED,
        /** The gateway holds its maximum. */
        GATEWAY_FULL,
        /** This client holds its maximum. */
        CLIENT_FULL
    }

    /**
     * Reserve a place for a session of this client, unless a limit is reached.
     *
     * @param clientIp     client IP
     * @param maxTotal     sessions the gateway holds at most, 0 for no limit
     * @param maxPerClient sessions one client holds at most, 0 for no limit
     * @return the decision
     */
    synchronized Reservation reserve(String clientIp, int maxTotal, int maxPerClient) {
        if (maxTotal > 0 && total >= maxTotal) {
            return Reservation.GATEWAY_FULL;
        }
        if (maxPerClient > 0 && perClient.getOrDefault(clientIp, 0) >= maxPerClient) {
            return Reservation.CLIENT_FULL;
        }
        total++;
        perClient.merge(clientIp, 1, Integer::sum);
        return Reservation.RESERVED;
    }

    /**
     * Give back a reservation (the handshake failed, or the session ended).
     *
     * @param clientIp client IP
     */
    synchronized void release(String clientIp) {
        Integer count = perClient.get(clientIp);
        if (count == null) {
            return;
        }
        if (count <= 1) {
            perClient.remove(clientIp);
        } else {
            perClient.put(clientIp, count - 1);
        }
        total--;
    }

    @Override
    public void sessionOpened(RelaySession session) {
        SessionInfo info = session.info();
        if (!info.user().isEmpty()) {
            LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + " opened by user " + info.user()
                    + " (client " + info.clientAddress() + ", service " + info.serviceId() + ")");
        }
    }

    @Override
    public void sessionClosed(RelaySession session) {
        SessionInfo info = session.info();
        release(hostOf(info.clientAddress()));
        if (!info.user().isEmpty()) {
            LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + " of user " + info.user() + " closed");
        }
    }

    /**
     * The host part of {@code host:port} (IPv6 hosts contain colons: split at the last one).
     */
    static String hostOf(String clientAddress) {
        int colon = clientAddress.lastIndexOf(':');
        return colon < 0 ? clientAddress : clientAddress.substring(0, colon);
    }
}
