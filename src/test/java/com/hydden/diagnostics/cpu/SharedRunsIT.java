package com.hydden.diagnostics.cpu;

import static com.hydden.diagnostics.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.LogCapture;
import com.hydden.diagnostics.testing.Metrics;
import com.hydden.diagnostics.testing.RawHttp;
import com.hydden.diagnostics.testing.Scripts;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Shared cpu runs on one instance: callers within the share window get one node call's bytes, the others an
 * honest 429 or a place in the next run; leaving callers detach, the last one cancels the node's call. The node's
 * window ends when the test releases it, so nothing here depends on how fast the machine is; the share window is
 * long for the same reason (its edge is tested on a fake clock in {@link NodeRunsTest}).
 */
@ExtendWith(ArquillianExtension.class)
class SharedRunsIT {

    private static final String CALLERS = "diagnostics_pprof_cpu_callers";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war(Map.of("diagnostics.pprof.share-window", "PT60S"));
    }

    @ArquillianResource
    URL base;

    private Api api;
    private LogCapture logs;

    @BeforeEach
    void setUp() {
        api = new Api(base);
        logs = LogCapture.start();
    }

    @AfterEach
    void tearDown() {
        logs.close();
    }

    @Test
    void callersWithinTheWindow_shareOneNodeCall_andGetIdenticalBytes() throws Exception {
        byte[] profile = random(300_000, 1);
        Semaphore windowEnds = new Semaphore(0);
        String node = Deployments.node(Scripts.sampleUntilReleased(profile, windowEnds, () -> { }));

        List<CompletableFuture<HttpResponse<byte[]>>> callers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            callers.add(CompletableFuture.supplyAsync(() -> send(cpu(node, 5, false))));
        }
        Metrics.await(base, CALLERS, n -> n == 3, "three callers in the run");
        Instant released = Instant.now();
        windowEnds.release();

        Set<String> windows = new HashSet<>();
        Set<String> runs = new HashSet<>();
        int joined = 0;
        for (CompletableFuture<HttpResponse<byte[]>> caller : callers) {
            HttpResponse<byte[]> response = caller.get(30, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode());
            assertArrayEquals(profile, response.body());
            assertEquals("3", response.headers().firstValue("X-Profile-Shared-By").orElse(""));
            String window = response.headers().firstValue("X-Profile-Window").orElseThrow();
            windows.add(window);
            String[] ends = window.split("/");
            assertTrue(Instant.parse(ends[0]).isBefore(Instant.parse(ends[1])), window);
            assertFalse(Instant.parse(ends[1]).isBefore(released.minusSeconds(1)), "the window ends when the node answers");
            JsonObject audit = audit(response);
            runs.add(audit.getString("run"));
            assertEquals(3, audit.getInt("sharedBy"));
            joined += audit.getBoolean("shared") ? 1 : 0;
        }
        assertEquals(1, windows.size(), "every caller is told the one window: " + windows);
        assertEquals(1, runs.size(), "one run id in every audit record: " + runs);
        assertEquals(2, joined, "two joined the run the first started");
        Deployments.NODE.nextRequest(node);
        assertEquals(0, Deployments.NODE.untakenRequests(node), "the node saw one call");
    }

    @Test
    void aCallerThatCannotJoin_is429_withTheSecondsLeft() throws Exception {
        Semaphore windowEnds = new Semaphore(0);
        String node = Deployments.node(Scripts.sampleUntilReleased(random(1000, 2), windowEnds, () -> { }));
        CompletableFuture<HttpResponse<byte[]>> first = CompletableFuture.supplyAsync(() -> send(cpu(node, 20, false)));
        Deployments.NODE.nextRequest(node);
        Instant sampling = Instant.now();

        HttpResponse<byte[]> other = send(cpu(node, 5, false));

        assertProblem(other, 429, "profiler-busy");
        long retryAfter = Long.parseLong(other.headers().firstValue("Retry-After").orElseThrow());
        long left = 20 - (Instant.now().getEpochSecond() - sampling.getEpochSecond()) + 1;
        assertTrue(retryAfter >= 1 && retryAfter <= Math.min(20, left), "Retry-After " + retryAfter + ", left " + left);
        assertEquals(0, Deployments.NODE.untakenRequests(node), "a refused caller never reaches the node");
        windowEnds.release();
        assertEquals(200, first.get(30, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void waitingCallers_areServedByTheNextRun() throws Exception {
        byte[] profile = random(100_000, 3);
        Semaphore windowEnds = new Semaphore(0);
        String node = Deployments.node(Scripts.sampleUntilReleased(profile, windowEnds, () -> { }));
        CompletableFuture<HttpResponse<byte[]>> first = CompletableFuture.supplyAsync(() -> send(cpu(node, 7, false)));
        Deployments.NODE.nextRequest(node);
        List<CompletableFuture<HttpResponse<byte[]>>> waiters = List.of(
                CompletableFuture.supplyAsync(() -> send(cpu(node, 3, true))),
                CompletableFuture.supplyAsync(() -> send(cpu(node, 3, true))));
        Metrics.await(base, CALLERS, n -> n == 3, "the first caller and two waiting");
        assertEquals(0, Deployments.NODE.untakenRequests(node), "waiters do not reach a busy node");

        windowEnds.release();
        HttpResponse<byte[]> firstAnswer = first.get(30, TimeUnit.SECONDS);
        assertEquals("1", firstAnswer.headers().firstValue("X-Profile-Shared-By").orElse(""));
        assertEquals(3, Deployments.NODE.nextRequest(node).getSeconds(), "the next run starts for the waiters");
        windowEnds.release();

        Instant firstEnd = Instant.parse(firstAnswer.headers().firstValue("X-Profile-Window").orElseThrow().split("/")[1]);
        for (CompletableFuture<HttpResponse<byte[]>> waiter : waiters) {
            HttpResponse<byte[]> response = waiter.get(30, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode());
            assertArrayEquals(profile, response.body());
            assertEquals("2", response.headers().firstValue("X-Profile-Shared-By").orElse(""));
            Instant start = Instant.parse(response.headers().firstValue("X-Profile-Window").orElseThrow().split("/")[0]);
            assertFalse(start.isBefore(firstEnd), "the next window opens after the first closed");
        }
        assertEquals(0, Deployments.NODE.untakenRequests(node), "two runs, two calls");
    }

    @Test
    void oneCallerLeaving_leavesTheRunToTheOthers() throws Exception {
        byte[] profile = random(200_000, 4);
        Semaphore windowEnds = new Semaphore(0);
        CountDownLatch cancelled = new CountDownLatch(1);
        String node = Deployments.node(Scripts.sampleUntilReleased(profile, windowEnds, cancelled::countDown));
        CompletableFuture<HttpResponse<byte[]>> staying = CompletableFuture.supplyAsync(() -> send(cpu(node, 5, false)));
        Deployments.NODE.nextRequest(node);
        try (RawHttp leaving = new RawHttp(base, body(node, 5, false))) {
            Metrics.await(base, CALLERS, n -> n == 2, "two callers in the run");
        }
        Metrics.await(base, CALLERS, n -> n == 1, "the leaving caller detached");
        assertEquals(1, cancelled.getCount(), "the node's call goes on for the caller that stayed");

        windowEnds.release();
        HttpResponse<byte[]> response = staying.get(30, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        assertArrayEquals(profile, response.body());
        assertEquals("1", response.headers().firstValue("X-Profile-Shared-By").orElse(""));
    }

    @Test
    void allCallersLeaving_cancelTheNodeCallWithinOneSecond() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        String node = Deployments.node(Scripts.sampleUntilReleased(random(1000, 5), new Semaphore(0), cancelled::countDown));
        RawHttp first = new RawHttp(base, body(node, 30, false));
        RawHttp second = new RawHttp(base, body(node, 30, false));
        Deployments.NODE.nextRequest(node);
        Metrics.await(base, CALLERS, n -> n == 2, "two callers in the run");

        first.close();
        Metrics.await(base, CALLERS, n -> n == 1, "the first caller detached");
        assertEquals(1, cancelled.getCount(), "one caller is still there");
        second.close();

        assertTrue(cancelled.await(1, TimeUnit.SECONDS), "the node kept sampling for nobody");
    }

    private HttpResponse<byte[]> send(String json) {
        try {
            return api.profile(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonObject audit(HttpResponse<?> response) throws InterruptedException {
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        return Json.createReader(new StringReader(logs.auditLine(id))).readObject();
    }

    private static String cpu(String node, int seconds, boolean wait) {
        return body(node, seconds, wait);
    }

    private static String body(String node, int seconds, boolean wait) {
        return "{\"client\":\"" + node + "\",\"profile\":\"cpu\",\"seconds\":" + seconds
                + (wait ? ",\"wait\":true" : "") + "}";
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
