package com.hydden.diagnostics.pprof;

import static com.hydden.diagnostics.testing.Api.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.Scripts;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Undeploying closes every channel and thread the application opened; redeploying works every time. */
@ExtendWith(ArquillianExtension.class)
class LifecycleIT {

    private static final int CYCLES = 20;
    private static final int WARM_UP = 2;
    /** Threads the server itself may still start or retire between two measurements. */
    private static final int SLACK = 12;

    @Deployment(name = "cycled", managed = false, testable = false)
    static WebArchive deployment() {
        return Deployments.war();
    }

    @ArquillianResource
    Deployer deployer;

    @Test
    void twentyRedeploys_eachServes_andTheThreadCountStaysFlat() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        URL base = new URL("http://localhost:" + System.getProperty("diagnostics.it.port", "18181") + "/");
        String node = Deployments.node(Scripts.answer(PprofIT.random(200_000, 12)));
        int baseline = 0;
        for (int cycle = 1; cycle <= CYCLES; cycle++) {
            deployer.deploy("cycled");
            try {
                assertEquals(200, new Api(base).profile(body(node, "heap")).statusCode(), "cycle " + cycle);
                assertEquals(404, new Api(base).profile(body(Deployments.OFFLINE, "heap")).statusCode());
            } finally {
                deployer.undeploy("cycled");
            }
            if (cycle == WARM_UP) {
                baseline = settledThreadCount(threads, Integer.MAX_VALUE);
            }
        }
        int after = settledThreadCount(threads, baseline + SLACK);
        System.out.printf("threads after %d redeploys: %d (after %d: %d, peak %d)%n",
                CYCLES, after, WARM_UP, baseline, threads.getPeakThreadCount());
        assertTrue(after <= baseline + SLACK,
                "threads grew from " + baseline + " to " + after + " over " + (CYCLES - WARM_UP) + " redeploys");
    }

    /** The thread count once threads being retired have gone: waits up to 10 s for it to reach {@code target}. */
    private static int settledThreadCount(ThreadMXBean threads, int target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int count = threads.getThreadCount();
        while (count > target && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100); // polling a count, bounded by the deadline
            count = threads.getThreadCount();
        }
        return count;
    }
}
