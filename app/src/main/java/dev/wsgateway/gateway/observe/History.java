package dev.wsgateway.gateway.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import dev.wsgateway.gateway.http.Json;
import dev.wsgateway.gateway.relay.RelayListener;
import dev.wsgateway.gateway.relay.RelaySession;
import dev.wsgateway.gateway.upstream.ConnectFailure;

/**
 * The gateway's own short history for the console's sparklines, with no external service: every {@code interval} a
 * sample of this gateway's running totals (active sessions; sessions opened and closed, messages and bytes each way,
 * failovers, refused handshakes and failed upstream connects since start), the last {@code size} samples kept. A
 * sample is a few counter reads: the sampler never waits on a session. Answered as JSON by the console,
 * {@code GET /application/console/history}: {@code {"intervalSeconds":5,"samples":[{"at":..,"active":..,..}]}}, the
 * last sample taken at the request.
 */
public final class History implements RelayListener, AutoCloseable {
    /** Names of a sample's values, in the order written. */
    static final List<String> FIELDS = List.of("active", "opened", "closed", "messagesIn", "messagesOut", "bytesIn",
                                               "bytesOut", "failovers", "refused", "connectFailures");

    private final Duration interval;
    private final int size;
    private final Map<String, RelaySession> live = new ConcurrentHashMap<>();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong closed = new AtomicLong();
    private final AtomicLong failovers = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    /** Messages and bytes of ended sessions, updated under {@link #lock} with {@link #live} (a sum is consistent). */
    private final long[] ended = new long[4];
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private final Thread sampler;
    private volatile boolean closedDown;

    /**
     * @param interval time between two samples
     * @param size     samples kept
     */
    private History(Duration interval, int size) {
        this.interval = interval;
        this.size = size;
        this.sampler = Thread.ofVirtual().name("console-history").unstarted(this::run);
    }

    /**
     * Start sampling: one sample every 5 s, the last 10 minutes kept.
     *
     * @return the history
     */
    public static History start() {
        return start(Duration.ofSeconds(5), 120);
    }

    static History start(Duration interval, int size) {
        History history = new History(interval, size);
        history.sample();
        history.sampler.start();
        return history;
    }

    @Override
    public void handshakeRejected(String clientHost, String serviceId, int status, String error) {
        // a 401 challenge is the first step of a browser's login, not a refusal
        if (!error.equals("challenge")) {
            refused.incrementAndGet();
        }
    }

    @Override
    public void upstreamConnect(String serviceId, String instanceId, long nanos, Optional<ConnectFailure> failure) {
        if (failure.isPresent()) {
            connectFailures.incrementAndGet();
        }
    }

    @Override
    public void sessionOpened(RelaySession session) {
        live.put(session.info().id(), session);
        opened.incrementAndGet();
    }

    @Override
    public void sessionClosed(RelaySession session) {
        lock.lock();
        try {
            if (live.remove(session.info().id()) != null) {
                ended[0] += session.messagesIn();
                ended[1] += session.messagesOut();
                ended[2] += session.bytesIn();
                ended[3] += session.bytesOut();
            }
        } finally {
            lock.unlock();
        }
        closed.incrementAndGet();
    }

    @Override
    public void failover(RelaySession session, String fromInstance, String toInstance) {
        failovers.incrementAndGet();
    }

    /**
     * The samples and one taken now, as JSON.
     *
     * @return the document
     */
    public String json() {
        List<Sample> list;
        lock.lock();
        try {
            list = new ArrayList<>(samples);
        } finally {
            lock.unlock();
        }
        list.add(now());
        StringBuilder json = new StringBuilder(64 + list.size() * 200)
                .append("{\"intervalSeconds\":").append(interval.toMillis() / 1000.0).append(",\"samples\":");
        return Json.array(json, list, (doc, sample) -> {
            doc.append('{');
            Json.field(doc, "at", sample.at().toString());
            for (int i = 0; i < FIELDS.size(); i++) {
                doc.append(",\"").append(FIELDS.get(i)).append("\":").append(sample.values()[i]);
            }
            doc.append('}');
        }).append('}').toString();
    }

    /**
     * Stop sampling.
     */
    @Override
    public void close() {
        closedDown = true;
        sampler.interrupt();
    }

    private void run() {
        while (!closedDown) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            sample();
        }
    }

    private void sample() {
        Sample sample = now();
        lock.lock();
        try {
            samples.addLast(sample);
            while (samples.size() > size) {
                samples.removeFirst();
            }
        } finally {
            lock.unlock();
        }
    }

    private Sample now() {
        long[] values = new long[FIELDS.size()];
        lock.lock();
        try {
            values[0] = live.size();
            values[3] = ended[0];
            values[4] = ended[1];
            values[5] = ended[2];
            values[6] = ended[3];
            for (RelaySession session : live.values()) {
                values[3] += session.messagesIn();
                values[4] += session.messagesOut();
                values[5] += session.bytesIn();
                values[6] += session.bytesOut();
            }
        } finally {
            lock.unlock();
        }
        values[1] = opened.get();
        values[2] = closed.get();
        values[7] = failovers.get();
        values[8] = refused.get();
        values[9] = connectFailures.get();
        return new Sample(Instant.now(), values);
    }

    /**
     * One sample.
     *
     * @param at     when it was taken
     * @param values the values, in the order of {@link #FIELDS}
     */
    record Sample(Instant at, long[] values) {
    }
}
