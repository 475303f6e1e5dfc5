package com.hydden.diagnostics.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time (user and system, every thread) a server's processes have used, from Linux's {@code /proc}: what a
 * route costs the server, whatever the scheduler made of its wall time on shared cores.
 */
final class ProcessCpu {

    private static final long NANOS_PER_TICK = 1_000_000_000L / clockTicks();

    private final List<Long> pids;

    private ProcessCpu(List<Long> pids) {
        this.pids = pids;
    }

    static boolean available() {
        return Files.isReadable(Path.of("/proc/self/stat"));
    }

    /** The process and the children it has now (nginx's workers; a JVM has none). */
    static ProcessCpu of(long pid) {
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(process -> process.descendants().forEach(child -> pids.add(child.pid())));
        return new ProcessCpu(List.copyOf(pids));
    }

    /** User and system time used so far, in nanoseconds (counted in the kernel's clock ticks, 10 ms here). */
    long nanos() {
        long ticks = 0;
        for (long pid : pids) {
            String stat;
            try {
                stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException("process " + pid + " is gone", e);
            }
            // The fields after the command, which is in parentheses and may hold spaces: state is field 3, so
            // utime (14) and stime (15) are the 12th and 13th.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }
        return ticks * NANOS_PER_TICK;
    }

    private static long clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            return getconf.waitFor() == 0 ? Long.parseLong(out) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100; // USER_HZ, what Linux reports on every common architecture
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
