package com.hydden.diagnostics.demo;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A cpu profile of this JVM from thread dumps every 10 ms, the rate of Go's profiler (100 Hz). A thread
 * counts in a tick if it is RUNNABLE and, where the JVM measures thread cpu time, used cpu since the last
 * tick: a RUNNABLE thread can sit in a blocking native call (accept, epoll) without running. Each counted
 * tick is one sample worth one period of cpu time, as in Go.
 */
final class CpuSampler {

    static final Duration INTERVAL = Duration.ofMillis(10);

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final boolean cpuTimeMeasured = threads.isThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();

    /** Samples for {@code duration}; an interrupt (the call was cancelled) ends it with no profile. */
    byte[] sample(Duration duration) throws InterruptedException {
        ProfileBuilder profile = new ProfileBuilder()
                .sampleType("samples", "count")
                .sampleType("cpu", "nanoseconds")
                .period("cpu", "nanoseconds", INTERVAL.toNanos());
        Map<Long, Long> lastCpuNanos = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            lastCpuNanos.put(id, cpuNanos(id));
        }
        long start = System.nanoTime();
        for (long tick = start + INTERVAL.toNanos(); tick - start <= duration.toNanos(); tick += INTERVAL.toNanos()) {
            TimeUnit.NANOSECONDS.sleep(tick - System.nanoTime());
            if (Thread.interrupted()) {  // sleep checks only when there is time left to sleep
                throw new InterruptedException();
            }
            for (ThreadInfo thread : threads.dumpAllThreads(false, false)) {
                // The sampling thread is RUNNABLE in every dump it takes: that is the observer, not its load.
                if (thread.getThreadId() != Thread.currentThread().getId()
                        && thread.getThreadState() == Thread.State.RUNNABLE && ranSinceLastTick(thread, lastCpuNanos)) {
                    profile.addStack(thread, 1, INTERVAL.toNanos());
                }
            }
        }
        return profile.gzipped();
    }

    private boolean ranSinceLastTick(ThreadInfo thread, Map<Long, Long> lastCpuNanos) {
        long now = cpuNanos(thread.getThreadId());
        Long last = lastCpuNanos.put(thread.getThreadId(), now);
        return !cpuTimeMeasured || last == null || now > last;
    }

    /** -1 when not measured or the thread has ended. */
    private long cpuNanos(long threadId) {
        return cpuTimeMeasured ? threads.getThreadCpuTime(threadId) : -1;
    }
}
