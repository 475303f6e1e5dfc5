package com.hydden.diagnostics.testing;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every log line of the test JVM, which the embedded server shares, from the moment of {@link #start()}: the
 * audit trail to assert on, and everything else to search for leaked credentials. The application's loggers
 * are opened down to FINE, so the refusal reasons are searched too.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private static final String[] OPENED = {"com.hydden.diagnostics"};

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Logger[] opened = new Logger[OPENED.length]; // held: the LogManager keeps loggers weakly
    private final Level[] levels = new Level[OPENED.length];

    private LogCapture() {
        setLevel(Level.ALL);
    }

    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        for (int i = 0; i < OPENED.length; i++) {
            capture.opened[i] = Logger.getLogger(OPENED[i]);
            capture.levels[i] = capture.opened[i].getLevel();
            capture.opened[i].setLevel(Level.FINE);
        }
        capture.root.addHandler(capture);
        return capture;
    }

    /** The audit line holding {@code requestId}, waiting at most 10 s for the request to end. */
    public String auditLine(String requestId) throws InterruptedException {
        return await(r -> r.getLoggerName().equals("diagnostics.audit") && r.getMessage().contains(requestId),
                Duration.ofSeconds(10))
                .map(LogRecord::getMessage)
                .orElseThrow(() -> new AssertionError("no audit line for request " + requestId + " within 10 s"));
    }

    public Optional<LogRecord> await(Predicate<LogRecord> wanted, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Optional<LogRecord> found = records.stream().filter(wanted).findFirst();
            if (found.isPresent() || System.nanoTime() > deadline) {
                return found;
            }
            synchronized (this) {
                wait(50); // woken by publish; the timeout only bounds a missed wake-up
            }
        }
    }

    /** Every captured line as it would be printed: message, parameters and any exception text. */
    public List<String> lines() {
        return records.stream().map(LogCapture::text).toList();
    }

    public List<String> linesContaining(String secret) {
        return lines().stream().filter(line -> line.contains(secret)).toList();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
        synchronized (this) {
            notifyAll();
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
        for (int i = 0; i < OPENED.length; i++) {
            opened[i].setLevel(levels[i]);
        }
    }

    private static String text(LogRecord record) {
        StringBuilder text = new StringBuilder(record.getLoggerName() + " " + record.getLevel() + " "
                + record.getMessage());
        if (record.getParameters() != null) {
            for (Object p : record.getParameters()) {
                text.append(' ').append(p);
            }
        }
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            text.append(' ').append(t);
        }
        return text.toString();
    }
}
