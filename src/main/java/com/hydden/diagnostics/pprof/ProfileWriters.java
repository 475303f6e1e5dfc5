package com.hydden.diagnostics.pprof;

import com.hydden.diagnostics.grid.DaemonThreads;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Threads that write answers once a node has produced its first chunk. A waiting request holds none:
 * it is suspended, and resumed on one of these, which then streams the profile to the client. Streaming
 * must not happen on gRPC's own threads, which deliver the chunks being written (the one exception: a small
 * profile already whole when its call ends, see {@code PprofResource}).
 *
 * <p>Most answers are short CPU work, so a few threads serve them best: when thousands of nodes answer at
 * once, more threads would only contend for the cores. A writer feeding a slow client, though, holds its
 * thread for as long as the client takes. So the pool starts with {@link #BASE} threads and grows only when
 * answers are stuck: the oldest queued one has waited {@link #STALL_MILLIS} and no answer finished since
 * the last look (a busy pool still finishes answers; one whose writers are all blocked on slow clients
 * does not). It then adds a thread for each queued answer, at most {@link #GROWTH} at a time, and shrinks
 * again when the queue is empty; threads beyond what is needed end after a minute unused.
 */
@ApplicationScoped
public class ProfileWriters implements Executor {

    static final int BASE = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    static final long STALL_MILLIS = 100;
    static final int GROWTH = 64;

    private final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private ThreadPoolExecutor threads;
    private ScheduledExecutorService watch;
    private long finishedAtLastLook; // only the watch thread uses it

    @PostConstruct
    void start() {
        threads = new ThreadPoolExecutor(BASE, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, queue, DaemonThreads.named("pprof-writer"));
        threads.allowCoreThreadTimeOut(true);
        watch = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("pprof-writer-watch"));
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
        long finished = threads.getCompletedTaskCount();
        boolean finishing = finished != finishedAtLastLook;
        finishedAtLastLook = finished;
        Runnable oldest = queue.peek();
        int size = threads.getCorePoolSize();
        if (oldest instanceof Queued q && !finishing
                && System.nanoTime() - q.queuedNanos > TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS)) {
            // starts threads for the queued answers at once
            threads.setCorePoolSize(size + Math.min(Math.max(1, queue.size()), GROWTH));
        } else if (oldest == null && size > BASE && threads.getActiveCount() <= size - BASE) {
            threads.setCorePoolSize(size - BASE);
        }
    }

    @PreDestroy
    void stop() {
        watch.shutdownNow();
        threads.shutdownNow();
    }

    private record Queued(Runnable task, long queuedNanos) implements Runnable {
        @Override
        public void run() {
            task.run();
        }
    }
}
