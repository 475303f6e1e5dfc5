package com.hydden.diagnostics.pprof;

import static com.hydden.diagnostics.testing.Api.body;
import static com.hydden.diagnostics.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.RawHttp;
import com.hydden.diagnostics.testing.Scripts;
import com.hydden.diagnostics.testing.TestNode;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Nodes that die, hang, restart or vanish, clients that leave, and too many at once. */
@ExtendWith(ArquillianExtension.class)
class ResilienceIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        // First chunks may take 5 s here, the connect timeout stays 2 s: the two failures must not race.
        return Deployments.war(Map.of("diagnostics.grid.timeout", "PT5S"));
    }

    @ArquillianResource
    URL base;

    @Test
    void clientLeavesWhileNodeIsStillProfiling_nodeCallIsCancelledWithinOneSecond() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        String node = Deployments.node(Scripts.hang(cancelled::countDown));

        try (RawHttp request = new RawHttp(base, "{\"client\":\"" + node + "\",\"profile\":\"cpu\",\"seconds\":60}")) {
            Deployments.NODE.nextRequest(node); // the node is sampling now
        }

        assertTrue(cancelled.await(1, TimeUnit.SECONDS), "the node was not told that its caller left");
    }

    @Test
    void afterManyRequestsOnOneKeepAliveConnection_aLeavingClientIsStillNoticed() throws Exception {
        // Each request on a kept-alive connection is watched again while its last watch may still be
        // deregistering: that once ended the watch thread, and no departure was noticed after it.
        byte[] profile = PprofIT.random(1000, 14);
        String quick = Deployments.node(Scripts.answer(profile));
        Api api = new Api(base);
        for (int i = 0; i < 30; i++) {
            assertEquals(200, api.profile(body(quick, "heap")).statusCode());
        }
        clientLeavesWhileNodeIsStillProfiling_nodeCallIsCancelledWithinOneSecond();
    }

    @Test
    void fifthConcurrentRequestToOneNode_is429_andPlacesComeBackWhenCallsEnd() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch cancelled = new CountDownLatch(4);
        byte[] profile = PprofIT.random(5000, 9);
        String node = Deployments.node((request, out) -> {
            if (calls.incrementAndGet() <= 4) {
                out.setOnCancelHandler(cancelled::countDown);
            } else {
                Scripts.answer(profile).profile(request, out);
            }
        });
        List<RawHttp> waiting = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                waiting.add(new RawHttp(base, body(node, "heap")));
                Deployments.NODE.nextRequest(node);
            }
            HttpResponse<byte[]> refused = new Api(base).profile(body(node, "heap"));
            assertProblem(refused, 429, "node-busy");
            assertEquals("5", refused.headers().firstValue("Retry-After").orElse(""));
            assertEquals(4, calls.get(), "a refused request must not reach the node");
        } finally {
            for (RawHttp request : waiting) {
                request.close();
            }
        }
        assertTrue(cancelled.await(5, TimeUnit.SECONDS), "the waiting calls were not cancelled");

        HttpResponse<byte[]> admitted = awaitNot429(node);
        assertEquals(200, admitted.statusCode());
        assertArrayEquals(profile, admitted.body());
    }

    @Test
    void callersSendingTheirNextRequestAtOnce_neverFindTheirOwnPlacesStillTaken() throws Exception {
        // 4 callers of one node, as many as its places: each sends its next request as soon as its answer is in.
        // Small profiles are answered on the thread that saw the call end, larger ones by a writer; on both
        // paths the places go back before the last byte goes out, so none of these requests may be a 429.
        for (int size : new int[] {5_000, 2 * ProfileBody.WRITE_QUEUE_BYTES}) {
            byte[] profile = PprofIT.random(size, 11);
            String node = Deployments.node(Scripts.answer(profile));
            ExecutorService callers = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<Integer>>> statuses = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    statuses.add(callers.submit(() -> {
                        Api api = new Api(base);
                        List<Integer> seen = new ArrayList<>();
                        for (int i = 0; i < 25; i++) {
                            HttpResponse<byte[]> response = api.profile(body(node, "heap"));
                            seen.add(response.statusCode());
                            if (response.statusCode() == 200) {
                                assertArrayEquals(profile, response.body());
                            }
                        }
                        return seen;
                    }));
                }
                for (Future<List<Integer>> caller : statuses) {
                    assertEquals(Collections.nCopies(25, 200), caller.get(60, TimeUnit.SECONDS),
                            "statuses of one caller's requests, " + size + " bytes each");
                }
            } finally {
                callers.shutdownNow();
            }
        }
    }

    /** Places are returned when the node's call closes, a moment after the cancel reached the node. */
    private HttpResponse<byte[]> awaitNot429(String node) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        HttpResponse<byte[]> response;
        do {
            response = new Api(base).profile(body(node, "heap"));
        } while (response.statusCode() == 429 && System.nanoTime() < deadline);
        return response;
    }

    @Test
    void unresolvableNode_is404Offline() throws Exception {
        assertProblem(new Api(base).profile(body(Deployments.UNRESOLVABLE, "heap")), 404, "node-offline");
    }

    @Test
    void hostThatNeverCompletesTheConnection_is404OfflineAtTheConnectTimeout() throws Exception {
        assertProblem(new Api(base).profile(body(Deployments.BLACKHOLE, "heap")), 404, "node-offline");
    }

    @Test
    void nodeThatAcceptsButNeverSpeaks_is500WhenItsFirstChunkTimePasses() throws Exception {
        assertProblem(new Api(base).profile(body(Deployments.SILENT, "heap")), 500, "node-timeout");
    }

    @Test
    void nodeRestarts_nextRequestAfterItIsBackSucceeds() throws Exception {
        byte[] profile = PprofIT.random(70_000, 10);
        String node = Deployments.RESTARTING;
        try (TestNode first = new TestNode(Deployments.RESTARTING_PORT)) {
            first.script(node, Scripts.answer(profile));
            assertEquals(200, new Api(base).profile(body(node, "heap")).statusCode());
        }
        assertProblem(new Api(base).profile(body(node, "heap")), 404, "node-offline");
        try (TestNode second = new TestNode(Deployments.RESTARTING_PORT)) {
            second.script(node, Scripts.answer(profile));
            HttpResponse<byte[]> response = new Api(base).profile(body(node, "heap"));
            assertEquals(200, response.statusCode(), () -> new String(response.body()));
            assertArrayEquals(profile, response.body());
        }
    }
}
