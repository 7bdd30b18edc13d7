package dev.wsgateway.gateway;

import java.util.logging.LogManager;

/**
 * The JDK's {@link LogManager}, except that its own shutdown hook no longer closes the log handlers: shutdown hooks run
 * in no set order, and the JDK's used to win the race against the gateway's, so the drain on SIGTERM (sessions
 * draining, closed with 1001, deregistration) was logged nowhere. {@link Main} installs it
 * ({@code java.util.logging.manager}) and closes the handlers itself once the gateway has stopped
 * ({@link #resetAfterShutdown()}).
 */
public final class ShutdownLogManager extends LogManager {
    /** Name of the JDK's shutdown hook thread that resets logging. */
    private static final String JDK_CLEANER = "Logging-Cleaner";

    private volatile boolean gatewayStopped;

    @Override
    public void reset() {
        if (gatewayStopped || !Thread.currentThread().getName().equals(JDK_CLEANER)) {
            super.reset();
        }
    }

    /**
     * Close the log handlers, once the gateway has stopped.
     */
    static void resetAfterShutdown() {
        if (LogManager.getLogManager() instanceof ShutdownLogManager manager) {
            manager.gatewayStopped = true;
            manager.reset();
        }
    }
}
