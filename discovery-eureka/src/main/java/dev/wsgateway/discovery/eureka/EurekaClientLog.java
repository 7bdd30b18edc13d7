package dev.wsgateway.discovery.eureka;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.wsgateway.discovery.Printable;

/**
 * The Netflix client's own log lines (SLF4J, bound to java.util.logging by {@code slf4j-jdk14}), on their way to the
 * gateway's log handlers: each problem (WARNING and above, or a line with an exception) is passed on once until Eureka
 * answers again, not once per fetch interval; the last one is kept as the cause the registry names when it logs that
 * Eureka is down; and the answer to the gateway's deregistration is noted, so the shutdown line says what happened.
 */
final class EurekaClientLog extends Handler {
    private static final String NETFLIX = "com.netflix";
    private static final Pattern DEREGISTERED = Pattern.compile("deregister\\s+status: (\\d+)");
    private static final EurekaClientLog INSTANCE = new EurekaClientLog();
    /** Held so that the logger and its configuration are not collected. */
    private static volatile Logger netflix;

    private final Set<String> passedOn = ConcurrentHashMap.newKeySet();
    private volatile String lastProblem;
    private volatile String firstProblem;
    private volatile int deregisterStatus;
    private volatile String deregisterFailure;

    private EurekaClientLog() {
    }

    /**
     * Route the Netflix loggers through this handler (once per JVM).
     *
     * @return the handler
     */
    static synchronized EurekaClientLog install() {
        if (netflix == null) {
            Logger logger = Logger.getLogger(NETFLIX);
            logger.addHandler(INSTANCE);
            logger.setUseParentHandlers(false);
            netflix = logger;
        }
        return INSTANCE;
    }

    @Override
    public void publish(LogRecord record) {
        String message = record.getMessage() == null ? "" : record.getMessage();
        Matcher deregistered = DEREGISTERED.matcher(message);
        if (deregistered.find()) {
            deregisterStatus = Integer.parseInt(deregistered.group(1));
        } else if (message.contains("de-registration failed")) {
            deregisterFailure = cause(record);
        }
        // a problem: WARNING and above, or any line with an exception (the client logs failed requests at INFO with
        // their stack trace, once per fetch interval)
        if (record.getLevel().intValue() >= Level.WARNING.intValue() || record.getThrown() != null) {
            String problem = cause(record);
            lastProblem = problem;
            if (firstProblem == null) {
                firstProblem = problem;
            }
            // the same problem again while Eureka is still away: the registry's own line already says so
            if (!passedOn.add(record.getLoggerName() + " " + problem.replaceAll("\\d+", "#"))) {
                return;
            }
        }
        LogRecord out = record;
        if (record.getThrown() != null && !netflix.isLoggable(Level.FINE)) {
            // the cause in the line; the stack trace only when the Netflix loggers are at DEBUG (FINE)
            out = new LogRecord(record.getLevel(), Printable.of(message) + " (" + cause(record) + ")");
            out.setLoggerName(record.getLoggerName());
            out.setInstant(record.getInstant());
            out.setSourceClassName(record.getSourceClassName());
            out.setSourceMethodName(record.getSourceMethodName());
        }
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            handler.publish(out);
        }
    }

    /**
     * Eureka answered again: the next problem is passed on again.
     */
    void recovered() {
        passedOn.clear();
        firstProblem = null;
    }

    /**
     * The problem the Netflix client reported first since Eureka last answered (the most specific: the failed
     * request's own exception, before the client's summary), else the last one.
     *
     * @return its cause, printable, or a generic text when none was seen
     */
    String lastProblem() {
        String p = firstProblem != null ? firstProblem : lastProblem;
        return p == null ? "no answer from any service URL" : p;
    }

    /**
     * Forget the last answer to a deregistration, before the next one.
     */
    void expectDeregistration() {
        deregisterStatus = 0;
        deregisterFailure = null;
    }

    /**
     * What the last deregistration got.
     *
     * @return the HTTP status Eureka answered, {@code 0} when there was no answer
     */
    int deregisterStatus() {
        return deregisterStatus;
    }

    /**
     * Why the last deregistration failed.
     *
     * @return cause, {@code null} when it did not fail (or was not tried)
     */
    String deregisterFailure() {
        return deregisterFailure;
    }

    private static String cause(LogRecord record) {
        Throwable t = record.getThrown();
        if (t == null) {
            return Printable.of(record.getMessage());
        }
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return Printable.of(t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
    }

    @Override
    public void flush() {
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            handler.flush();
        }
    }

    @Override
    public void close() {
    }
}
