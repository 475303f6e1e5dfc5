package com.hydden.diagnostics.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The benchmark's own arithmetic and measuring: the hop ratio's resampled interval, a process's CPU time. */
class BenchFiguresTest {

    @Test
    void roundsThatAllAgree_giveAnIntervalOfTheirOneRatio() {
        double[] gateway = {0.30, 0.30, 0.30};
        double[] direct = {0.20, 0.20, 0.20};
        double[] proxy = {0.25, 0.25, 0.25};
        double[] origin = {0.05, 0.05, 0.05};

        double[] interval = GatewayBench.hopRatioInterval(gateway, direct, proxy, origin, new Random(1));

        assertArrayEquals(new double[] {0.5, 0.5}, interval, 1e-9);
    }

    @Test
    void roundsThatDisagree_giveAnIntervalAroundTheRatioOfTheMedians() {
        Random noise = new Random(7);
        int rounds = 25;
        double[] gateway = new double[rounds];
        double[] direct = new double[rounds];
        double[] proxy = new double[rounds];
        double[] origin = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            gateway[i] = 0.30 + 0.05 * noise.nextGaussian();
            direct[i] = 0.20 + 0.05 * noise.nextGaussian();
            proxy[i] = 0.25 + 0.05 * noise.nextGaussian();
            origin[i] = 0.05 + 0.01 * noise.nextGaussian();
        }

        double[] interval = GatewayBench.hopRatioInterval(gateway, direct, proxy, origin, new Random(1));

        assertTrue(interval[0] < interval[1], () -> "no spread: " + interval[0] + " to " + interval[1]);
        assertTrue(interval[0] < 0.5 && 0.5 < interval[1], () -> "0.5 outside " + interval[0] + " to " + interval[1]);
    }

    @Test
    void aProxyNoSlowerThanItsOrigin_countsAsNoRatio() {
        double[] same = {0.1, 0.1, 0.1};

        double[] interval = GatewayBench.hopRatioInterval(new double[] {0.3, 0.3, 0.3}, same, same, same,
                new Random(1));

        assertEquals(Double.POSITIVE_INFINITY, interval[0]);
    }

    @Test
    void aProcesssCpuTime_growsWithTheWorkItDoes() {
        assumeTrue(ProcessCpu.available(), "no /proc here");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ProcessCpu self = ProcessCpu.of(ProcessHandle.current().pid());
        long before = self.nanos();
        long threadBefore = threads.getCurrentThreadCpuTime();
        while (threads.getCurrentThreadCpuTime() - threadBefore < 300_000_000L) { // this thread's own 0.3 s of CPU
            Thread.onSpinWait();
        }

        long used = self.nanos() - before;

        // at least this thread's CPU time, less one clock tick of rounding at either end
        assertTrue(used >= 280_000_000L, () -> "the process used only " + used / 1e6 + " ms");
    }
}
