package dev.wsgateway.gateway;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects every JUL record logged in this JVM while attached to the root logger, for tests that check what the
 * gateway logs (and what it must never log).
 */
final class LogCapture extends Handler implements AutoCloseable {
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    /**
     * Start capturing.
     *
     * @return the capture, attached to the root logger
     */
    static LogCapture attach() {
        LogCapture capture = new LogCapture();
        Logger.getLogger("").addHandler(capture);
        return capture;
    }

    List<LogRecord> records() {
        return records;
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    /**
     * Stop capturing.
     */
    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
