package dev.wsgateway.gateway.relay;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The active routed sessions, and the watchdog that pings quiet peers, drops dead ones and ends idle or
 * stuck-closing sessions. A session is listed from the moment both legs are open until it has fully ended.
 */
public final class SessionRegistry implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(SessionRegistry.class.getName());

    private final Map<String, RelaySession> sessions = new ConcurrentHashMap<>();
    private final List<RelayListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong pingTokens = new AtomicLong(System.nanoTime() | 1);
    private final ScheduledExecutorService watchdog;
    private volatile boolean draining;

    /**
     * Create and start the watchdog.
     *
     * @param settings relay settings (the tick follows the shortest timeout)
     */
    public SessionRegistry(RelaySettings settings) {
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relay-watchdog");
            t.setDaemon(true);
            return t;
        });
        long tick = settings.watchdogTick().toMillis();
        watchdog.scheduleWithFixedDelay(this::check, tick, tick, TimeUnit.MILLISECONDS);
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

    private void check() {
        long now = System.nanoTime();
        long token = pingTokens.incrementAndGet();
        for (RelaySession session : sessions.values()) {
            session.check(now, token == 0 ? 1 : token);
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }
}
