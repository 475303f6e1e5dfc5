package com.hydden.diagnostics.audit;

import com.hydden.diagnostics.grid.DaemonThreads;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes the audit lines to {@link AuditRecord#LOGGER} on a thread of its own, in the order the requests ended,
 * so a request does not wait for the server's log handlers (formatting, the console). No line is dropped: when
 * {@link #CAPACITY} lines wait, a request ending waits for room, and undeploying writes every line still queued.
 */
@ApplicationScoped
public class AuditTrail {

    static final int CAPACITY = 100_000;
    private static final Logger AUDIT = Logger.getLogger(AuditRecord.LOGGER);
    private static final Logger LOG = Logger.getLogger(AuditTrail.class.getName());

    private final BlockingQueue<Supplier<String>> lines = new LinkedBlockingQueue<>(CAPACITY);
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
            lines.put(line);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log(line); // the request's thread is being stopped: write it here rather than lose it
        }
    }

    private void writeQueued() {
        try {
            while (true) {
                log(lines.take());
            }
        } catch (InterruptedException stopping) {
            for (Supplier<String> line; (line = lines.poll()) != null; ) {
                log(line);
            }
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
        writer.interrupt();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
