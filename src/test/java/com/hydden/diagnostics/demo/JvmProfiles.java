package com.hydden.diagnostics.demo;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * The snapshot profiles (everything but cpu) of this JVM, each typed exactly as Go's runtime/pprof types
 * its namesake. Where the JVM keeps a fact but no stack for it, the sample's stack is one bracketed frame
 * naming what the value belongs to ({@code [thread main]}, {@code [heap pool G1 Old Gen]}).
 */
final class JvmProfiles {

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    JvmProfiles() {
        // JVM-wide and cheap. Blocked and waited times are measured from here on; counts cover each thread's life.
        if (threads.isThreadContentionMonitoringSupported()) {
            threads.setThreadContentionMonitoringEnabled(true);
        }
    }

    /** One sample per distinct current thread stack, valued by the number of threads on it. */
    byte[] goroutine() {
        ProfileBuilder profile = count("goroutine");
        for (ThreadInfo thread : threads.dumpAllThreads(false, false)) {
            profile.addStack(thread, 1);
        }
        return profile.gzipped();
    }

    /** The JVM records no creation stacks, so all threads ever started share one frame. */
    byte[] threadcreate() {
        ProfileBuilder profile = count("threadcreate");
        profile.addFrame("java.lang.Thread.start", threads.getTotalStartedThreadCount());
        return profile.gzipped();
    }

    /** Like Go's heap profile; pprof shows inuse_space first, the last sample type. */
    byte[] heap() {
        return memory().gzipped();
    }

    /** The heap profile's data, shown as alloc_space first, as Go does. */
    byte[] allocs() {
        return memory().defaultSampleType("alloc_space").gzipped();
    }

    /**
     * Every wait of every live thread: entering a contended monitor (blocked) and Object.wait, park, join or
     * sleep (waited). Go's block profile likewise counts waits on channels, locks and conditions.
     */
    byte[] block() {
        ProfileBuilder profile = contention();
        for (ThreadInfo thread : threads.getThreadInfo(threads.getAllThreadIds(), 0)) {
            if (thread != null) {
                addContention(profile, thread, thread.getBlockedCount() + thread.getWaitedCount(),
                        nanosOf(thread.getBlockedTime()) + nanosOf(thread.getWaitedTime()));
            }
        }
        return profile.gzipped();
    }

    /**
     * Monitor contention only. Go charges a contended mutex's delay to the unlocking stack; the JVM only
     * knows the waiting thread, so the delay is charged to it.
     */
    byte[] mutex() {
        ProfileBuilder profile = contention();
        for (ThreadInfo thread : threads.getThreadInfo(threads.getAllThreadIds(), 0)) {
            if (thread != null) {
                addContention(profile, thread, thread.getBlockedCount(), nanosOf(thread.getBlockedTime()));
            }
        }
        return profile.gzipped();
    }

    /**
     * Go's four heap sample types. The JVM counts bytes allocated per live thread (not objects, not by
     * stack) and bytes in use per heap pool, so each sample carries one of them and zero elsewhere. The
     * values are exact rather than sampled, hence a period of 1 byte.
     */
    private ProfileBuilder memory() {
        ProfileBuilder profile = new ProfileBuilder()
                .sampleType("alloc_objects", "count")
                .sampleType("alloc_space", "bytes")
                .sampleType("inuse_objects", "count")
                .sampleType("inuse_space", "bytes")
                .period("space", "bytes", 1);
        if (threads instanceof com.sun.management.ThreadMXBean allocations
                && allocations.isThreadAllocatedMemorySupported() && allocations.isThreadAllocatedMemoryEnabled()) {
            long[] ids = threads.getAllThreadIds();
            long[] bytes = allocations.getThreadAllocatedBytes(ids);
            ThreadInfo[] infos = threads.getThreadInfo(ids, 0);
            for (int i = 0; i < ids.length; i++) {
                if (infos[i] != null && bytes[i] > 0) {
                    profile.addThread(infos[i], 0, bytes[i], 0, 0);
                }
            }
        }
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
                profile.addFrame("[heap pool " + pool.getName() + "]", 0, 0, 0, pool.getUsage().getUsed());
            }
        }
        return profile;
    }

    private static ProfileBuilder count(String name) {
        return new ProfileBuilder().sampleType(name, "count").period(name, "count", 1);
    }

    private static ProfileBuilder contention() {
        return new ProfileBuilder()
                .sampleType("contentions", "count")
                .sampleType("delay", "nanoseconds")
                .period("contentions", "count", 1);
    }

    private static void addContention(ProfileBuilder profile, ThreadInfo thread, long count, long delayNanos) {
        if (count > 0) {
            profile.addThread(thread, count, delayNanos);
        }
    }

    /** -1 means the JVM does not measure it. */
    private static long nanosOf(long millis) {
        return Math.max(millis, 0) * 1_000_000L;
    }
}
