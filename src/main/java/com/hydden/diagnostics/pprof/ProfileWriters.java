package com.hydden.diagnostics.pprof;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads that write answers once a node has produced its first chunk. A waiting request holds none:
 * it is suspended, and resumed on one of these, which then streams the profile to the client. Writing
 * must not happen on gRPC's own threads, which deliver the chunks being written.
 *
 * <p>Most answers are short CPU work, so a few threads serve them best: when thousands of nodes answer at
 * once, more threads would only contend for the cores. A writer feeding a slow client, though, holds its
 * thread for as long as the client takes. So the pool starts with {@link #BASE} threads and grows by as
 * many whenever the oldest waiting answer has waited {@link #STALL_MILLIS}: answers queue behind slow
 * clients for a moment, never for good. Threads beyond what is needed end after a minute unused.
 */
@ApplicationScoped
public class ProfileWriters implements Executor {

    static final int BASE = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    static final long STALL_MILLIS = 100;

    private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private ThreadPoolExecutor threads;
    private ScheduledExecutorService watch;

    @PostConstruct
    void start() {
        threads = new ThreadPoolExecutor(BASE, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, queue, named("pprof-writer"));
        threads.allowCoreThreadTimeOut(true);
        watch = Executors.newSingleThreadScheduledExecutor(named("pprof-writer-watch"));
        watch.scheduleWithFixedDelay(this::resize, STALL_MILLIS, STALL_MILLIS / 2, TimeUnit.MILLISECONDS);
    }

    @Override
    public void execute(Runnable task) {
        threads.execute(new Queued(task, System.nanoTime()));
    }

    /** The most threads the pool has had at once. */
    int largestSize() {
        return threads.getLargestPoolSize();
    }

    private void resize() {
        Runnable oldest = queue.peek();
        int size = threads.getCorePoolSize();
        if (oldest instanceof Queued q && System.nanoTime() - q.queuedNanos > TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS)) {
            threads.setCorePoolSize(size + BASE); // starts threads for the queued answers at once
        } else if (oldest == null && size > BASE && threads.getActiveCount() <= size - BASE) {
            threads.setCorePoolSize(size - BASE);
        }
    }

    @PreDestroy
    void stop() {
        watch.shutdownNow();
        threads.shutdownNow();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        ClassLoader application = ProfileWriters.class.getClassLoader();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            // Jersey and Weld load application classes through it when resuming. Not a ManagedThreadFactory:
            // Payara's default one hands out the context of the first application that looked it up,
            // which after a redeploy is a stopped one.
            thread.setContextClassLoader(application);
            return thread;
        };
    }

    private record Queued(Runnable task, long queuedNanos) implements Runnable {
        @Override
        public void run() {
            task.run();
        }
    }
}
