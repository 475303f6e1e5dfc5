package com.hydden.diagnostics.audit;

import com.hydden.diagnostics.grid.DaemonThreads;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes the audit lines to {@link AuditRecord#LOGGER} on a thread of its own, in the order the requests ended,
 * so a request does not wait for the server's log handlers (formatting, the console). The writer is not woken
 * per line: it looks every {@link #DRAIN_MILLIS} and writes what has queued, so a request ending costs a queue
 * insertion, not a thread hand-off. No line is dropped: when {@link #CAPACITY} lines wait, a request ending
 * waits for room, and undeploying writes every line still queued.
 */
@ApplicationScoped
public class AuditTrail {

    static final int CAPACITY = 100_000;
    static final long DRAIN_MILLIS = 20;
    private static final Logger AUDIT = Logger.getLogger(AuditRecord.LOGGER);
    private static final Logger LOG = Logger.getLogger(AuditTrail.class.getName());

    private final Queue<Supplier<String>> lines = new ConcurrentLinkedQueue<>();
    private final Semaphore room = new Semaphore(CAPACITY);
    private volatile boolean stopping;
    private Thread writer;

    @PostConstruct
    void start() {
        writer = DaemonThreads.named("audit-writer").newThread(this::writeQueued);
        writer.start();
    }

    /**
     * Queues one line; {@code line} is called on the writer's thread, once. Public: a CDI client proxy forwards
     * no package-private call.
     */
    public void write(Supplier<String> line) {
        try {
            room.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log(line); // the request's thread is being stopped: write it here rather than lose it
            return;
        }
        lines.add(line);
    }

    private void writeQueued() {
        while (!stopping) {
            writeAll();
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS));
        }
        writeAll();
    }

    private void writeAll() {
        for (Supplier<String> line; (line = lines.poll()) != null; ) {
            log(line);
            room.release();
        }
    }

    private static void log(Supplier<String> line) {
        try {
            AUDIT.log(Level.INFO, line);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot write an audit line", e);
        }
    }

    @PreDestroy
    void stop() {
        stopping = true;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!writer.isAlive()) {
            writeAll(); // lines of requests that ended while the writer finished
        }
    }
}
