package dev.wsgateway.gateway.relay;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.wsgateway.gateway.config.RelaySettings;
import dev.wsgateway.gateway.upstream.ConnectFailure;
import dev.wsgateway.gateway.upstream.ConnectListener;

/**
 * The active routed sessions, their listeners, and the {@link Watchdog} that looks after them. A session is listed
 * from the moment both legs are open until it has fully ended.
 */
public final class SessionRegistry implements ConnectListener, AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(SessionRegistry.class.getName());

    private final Map<String, RelaySession> sessions = new ConcurrentHashMap<>();
    private final List<RelayListener> listeners = new CopyOnWriteArrayList<>();
    private final Watchdog watchdog;
    private volatile boolean draining;

    /**
     * Create and start the watchdog.
     *
     * @param settings relay settings (the tick follows the shortest timeout)
     */
    public SessionRegistry(RelaySettings settings) {
        this.watchdog = new Watchdog(settings, this::sessions);
    }

    /**
     * Add a listener of relay events.
     *
     * @param listener listener
     */
    public void addListener(RelayListener listener) {
        listeners.add(listener);
    }

    /**
     * Tell every listener something (a failing listener is logged, the others still run).
     *
     * @param event what to call
     */
    void notify(Consumer<RelayListener> event) {
        for (RelayListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                LOGGER.log(System.Logger.Level.WARNING, "Relay listener failed", e);
            }
        }
    }

    /**
     * A handshake was refused: tell the listeners.
     *
     * @param clientHost client address
     * @param serviceId  requested service, empty when the path named none
     * @param status     HTTP status sent
     * @param error      short error name
     */
    public void handshakeRejected(String clientHost, String serviceId, int status, String error) {
        notify(l -> l.handshakeRejected(clientHost, serviceId, status, error));
    }

    /**
     * A connection ended before its request head was complete.
     *
     * @param clientHost client IP
     * @param outcome    {@code abandoned} (the client left) or {@code timeout} (closed after handshake-timeout)
     */
    public void handshakeIncomplete(String clientHost, String outcome) {
        notify(l -> l.handshakeIncomplete(clientHost, outcome));
    }

    @Override
    public void upstreamConnect(String serviceId, String instanceId, long nanos, Optional<ConnectFailure> failure) {
        notify(l -> l.upstreamConnect(serviceId, instanceId, nanos, failure));
    }

    void opened(RelaySession session) {
        sessions.put(session.info().id(), session);
        notify(l -> l.sessionOpened(session));
    }

    void closed(RelaySession session) {
        sessions.remove(session.info().id());
        notify(l -> l.sessionClosed(session));
    }

    /**
     * Sessions now active.
     *
     * @return live view
     */
    public Collection<RelaySession> sessions() {
        return sessions.values();
    }

    /**
     * Find a session.
     *
     * @param id session id
     * @return the session if active
     */
    public Optional<RelaySession> find(String id) {
        return Optional.ofNullable(sessions.get(id));
    }

    /**
     * Number of active sessions.
     *
     * @return count
     */
    public int size() {
        return sessions.size();
    }

    /**
     * Refuse new sessions from now on (shutdown).
     */
    public void startDraining() {
        draining = true;
    }

    /**
     * Whether new sessions are refused.
     *
     * @return draining
     */
    public boolean draining() {
        return draining;
    }

    @Override
    public void close() {
        watchdog.close();
    }
}
