package com.hydden.diagnostics.bench;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The server JVM's threads and heap, read over JMX after attaching to it by process ID (as {@code jcmd}
 * does), so the server runs with no option of ours. Heap is measured as the live set: used heap right after a
 * full GC, so garbage waiting for collection does not count as memory the server holds.
 */
final class ServerProbe implements AutoCloseable {

    private static final long SAMPLE_MILLIS = 2000;

    private final long pid;
    private final JMXConnector connector;
    private final MBeanServerConnection server;
    private final ThreadMXBean threads;
    private final MemoryMXBean memory;

    ServerProbe(long pid) throws Exception {
        this.pid = pid;
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        try {
            connector = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
        } finally {
            vm.detach();
        }
        server = connector.getMBeanServerConnection();
        threads = ManagementFactory.newPlatformMXBeanProxy(server, ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
        memory = ManagementFactory.newPlatformMXBeanProxy(server, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
    }

    int threads() {
        return threads.getThreadCount();
    }

    /**
     * Live threads by pool: names with their numbers replaced by N, largest pools first, the rest summed
     * up as "other".
     */
    String threadsByPool() {
        Map<String, Long> pools = Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
                .filter(Objects::nonNull)
                .collect(Collectors.groupingBy(t -> t.getThreadName().replaceAll("\\d+", "N"), Collectors.counting()));
        List<Map.Entry<String, Long>> largest = pools.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .toList();
        StringBuilder out = new StringBuilder();
        long other = 0;
        for (int i = 0; i < largest.size(); i++) {
            if (i < 6) {
                out.append(out.length() == 0 ? "" : ", ").append(largest.get(i).getKey()).append(' ')
                        .append(largest.get(i).getValue());
            } else {
                other += largest.get(i).getValue();
            }
        }
        return out + (other > 0 ? ", other " + other : "");
    }

    /** Live threads whose names start with one of {@code prefixes}. */
    long threadsNamed(List<String> prefixes) {
        return Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
                .filter(Objects::nonNull)
                .filter(t -> prefixes.stream().anyMatch(t.getThreadName()::startsWith))
                .count();
    }

    long maxHeapMiB() {
        return memory.getHeapMemoryUsage().getMax() >> 20;
    }

    long liveHeapBytes() {
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** Starts watching: the peak thread count (kept by the JVM itself) and the live heap every 2 s. */
    Watch watch() {
        return new Watch();
    }

    /** Starts a Flight Recording in the server with the JDK's "profile" settings. */
    void startRecording() throws Exception {
        diagnosticCommand("jfrStart", "name=bench", "settings=profile");
    }

    void dumpRecording(Path file) throws Exception {
        diagnosticCommand("jfrDump", "name=bench", "filename=" + file.toAbsolutePath());
        diagnosticCommand("jfrStop", "name=bench");
    }

    /**
     * Loads async-profiler ({@code library}) into the server and starts sampling {@code event}: {@code itimer}
     * (CPU time; {@code cpu} needs perf events, which some machines lack), {@code wall}, {@code alloc} or
     * {@code lock}.
     */
    void startProfiler(Path library, String event) throws Exception {
        profilerCommand(library, "start,event=" + event + ",interval=" + (event.equals("alloc") ? "512k" : "1ms"));
    }

    /** Stops the profiler, writing its stacks as collapsed lines and as a flame graph. */
    void stopProfiler(Path library, Path collapsed, Path flameGraph) throws Exception {
        profilerCommand(library, "dump,collapsed,file=" + collapsed.toAbsolutePath());
        profilerCommand(library, "stop,flamegraph,file=" + flameGraph.toAbsolutePath());
    }

    private void profilerCommand(Path library, String command) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        try {
            vm.loadAgentPath(library.toAbsolutePath().toString(), command);
        } finally {
            vm.detach();
        }
    }

    private void diagnosticCommand(String operation, String... arguments) throws Exception {
        server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), operation,
                new Object[] {arguments}, new String[] {String[].class.getName()});
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }

    final class Watch implements AutoCloseable {
        final int baselineThreads;
        final long baselineHeapBytes;
        private final AtomicLong peakHeapBytes = new AtomicLong();
        private volatile int mostSampledThreads;
        private volatile String pools = "";
        private final ExecutorService sampler = Executors.newSingleThreadExecutor();
        private final Future<?> sampling;
        private int peakThreads = -1;

        private Watch() {
            baselineHeapBytes = liveHeapBytes();
            baselineThreads = threads();
            threads.resetPeakThreadCount();
            peakHeapBytes.set(baselineHeapBytes);
            sampling = sampler.submit(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peakHeapBytes.accumulateAndGet(liveHeapBytes(), Math::max);
                    int live = threads();
                    if (live > mostSampledThreads) {
                        mostSampledThreads = live;
                        pools = threadsByPool();
                    }
                    TimeUnit.MILLISECONDS.sleep(SAMPLE_MILLIS); // sampling interval
                }
                return null;
            });
        }

        int peakThreads() {
            return peakThreads;
        }

        /** Threads by pool at the sample (every 2 s) with the most threads. */
        String poolsAtBusiestSample() {
            return pools;
        }

        long peakHeapBytes() {
            return peakHeapBytes.get();
        }

        /** Stops sampling, after one last sample. */
        @Override
        public void close() {
            if (peakThreads >= 0) {
                return;
            }
            sampling.cancel(true);
            sampler.shutdownNow();
            try {
                sampler.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            peakHeapBytes.accumulateAndGet(liveHeapBytes(), Math::max);
            peakThreads = threads.getPeakThreadCount();
        }
    }
}
