package com.hydden.diagnostics.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.grid.api.ProfileRequest;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The demo node's cpu profiler, one profile at a time, with the sampling thread held back by the test. */
class DemoGridTest {

    @Test
    void aCpuProfileCancelledBeforeItsSamplingStarts_freesTheCpuProfiler() throws Exception {
        ExecutorService cpuProfiling = Executors.newSingleThreadExecutor();
        CountDownLatch samplingThreadFree = new CountDownLatch(1);
        try {
            cpuProfiling.submit(() -> samplingThreadFree.await(10, TimeUnit.SECONDS));
            DemoGrid grid = new DemoGrid("n1", cpuProfiling);
            FakeCall call = new FakeCall();
            grid.profile(ProfileRequest.newBuilder().setClient("n1").setModule(DemoGrid.MODULE).setProfile("cpu")
                    .setSeconds(1).build(), call);
            assertTrue(grid.cpuProfileRunning());

            call.cancel();
            assertFalse(grid.cpuProfileRunning(), "the profiler is free as soon as its one caller is gone");

            samplingThreadFree.countDown();
            cpuProfiling.shutdown();
            assertTrue(cpuProfiling.awaitTermination(10, TimeUnit.SECONDS), "the sampling task did not end within 10 s");
            assertEquals(List.of(), call.chunks, "nothing is sampled or sent for a cancelled call");
            assertFalse(grid.cpuProfileRunning());
        } finally {
            cpuProfiling.shutdownNow();
        }
    }
}
