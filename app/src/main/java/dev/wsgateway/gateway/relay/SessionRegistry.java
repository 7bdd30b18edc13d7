package dev.wsgateway.gateway.relay;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The active routed sessions, and the watchdog that pings quiet peers, drops dead ones and ends idle or
 * stuck-closing sessions. A session is listed from the moment both legs are open until it has fully ended.
 */
public final class SessionRegistry implements AutoCloseable {
    private final Map<String, RelaySession> sessions = new ConcurrentHashMap<>();
    private final AtomicLong pingTokens = new AtomicLong(System.nanoTime() | 1);
    private final ScheduledExecutorService watchdog;

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

    void opened(RelaySession session) {
        sessions.put(session.info().id(), session);
    }

    void closed(RelaySession session) {
        sessions.remove(session.info().id());
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
