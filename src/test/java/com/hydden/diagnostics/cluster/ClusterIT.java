package com.hydden.diagnostics.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.demo.ApiTokenFile;
import com.hydden.diagnostics.demo.PayaraMicro;
import com.hydden.diagnostics.testing.Metrics;
import com.hydden.diagnostics.testing.Scripts;
import com.hydden.diagnostics.testing.TestNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Two (for one test three) stock Payara Micro instances from Maven Central sharing one data grid on loopback, as
 * ops cluster them: cpu callers spread over the instances share one node call, the per-node limit holds over the
 * cluster, and an instance that dies gives its places back within the lease.
 */
class ClusterIT {

    private static final Logger LOG = Logger.getLogger(ClusterIT.class.getName());
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration LEASE = Duration.ofSeconds(5);
    private static final String TOKEN = "cluster-test-token";
    private static final int NODES = 20;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static final TestNode NODE = new TestNode();
    private static final int[] GRID_PORTS = {freePort(), freePort(), freePort()};
    private static final List<PayaraMicro> servers = new ArrayList<>();
    private static Path work;
    private static Path tokens;
    private static String cluster;
    private static PayaraMicro a;
    private static PayaraMicro b;
    private static int nextNode;

    @RegisterExtension
    static final TestWatcher SERVER_LOG_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            servers.forEach(s -> LOG.severe(() -> context.getDisplayName() + " failed; Payara Micro's log:" + s.logTail()));
        }
    };

    @BeforeAll
    static void startCluster() throws Exception {
        Path war = Path.of(System.getProperty("diagnostics.war", "target/diagnostics.war"));
        work = war.toAbsolutePath().getParent().resolve("cluster-it");
        Files.createDirectories(work);
        tokens = ApiTokenFile.write(work.resolve("api-tokens"), "cluster-test", TOKEN, "diagnostics");
        cluster = "diagnostics-it-" + UUID.randomUUID();
        a = start(0);
        b = start(1);
        a.awaitReady(BOOT_TIMEOUT);
        b.awaitReady(BOOT_TIMEOUT);
        awaitLog(a, "DG Size: 2", "the two instances form one data grid");
    }

    @AfterAll
    static void stopCluster() throws InterruptedException {
        for (PayaraMicro server : servers) {
            server.close();
        }
        NODE.close();
    }

    @Test
    void cpuCallersOnBothInstances_shareOneNodeCall_andGetIdenticalFiles() throws Exception {
        byte[] profile = random(400_000, 1);
        Semaphore windowEnds = new Semaphore(0);
        String node = node(Scripts.sampleUntilReleased(profile, windowEnds, () -> { }));
        String cpu = "{\"client\":\"" + node + "\",\"profile\":\"cpu\",\"seconds\":5}";

        List<CompletableFuture<HttpResponse<byte[]>>> callers = new ArrayList<>();
        for (PayaraMicro server : List.of(a, b, a, b)) {
            callers.add(CompletableFuture.supplyAsync(() -> post(server, cpu)));
        }
        awaitCallers(4);
        windowEnds.release();

        Set<String> windows = new HashSet<>();
        for (CompletableFuture<HttpResponse<byte[]>> caller : callers) {
            HttpResponse<byte[]> response = caller.get(60, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
            assertArrayEquals(profile, response.body());
            assertEquals("4", response.headers().firstValue("X-Profile-Shared-By").orElse(""));
            windows.add(response.headers().firstValue("X-Profile-Window").orElseThrow());
        }
        assertEquals(1, windows.size(), "one window for every caller: " + windows);
        NODE.nextRequest(node);
        assertEquals(0, NODE.untakenRequests(node), "one node call for the callers of both instances");
    }

    @Test
    void twelveHeapRequestsOverBothInstances_neverHaveMoreThanFourAtTheNode() throws Exception {
        AtomicInteger atNode = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        byte[] heap = random(50_000, 2);
        String node = node((request, out) -> {
            most.accumulateAndGet(atNode.incrementAndGet(), Math::max);
            new Thread(() -> {
                try {
                    if (release.await(60, TimeUnit.SECONDS)) {
                        out.onNext(com.hydden.diagnostics.grid.api.ProfileChunk.newBuilder()
                                .setData(com.google.protobuf.ByteString.copyFrom(heap)).build());
                        out.onCompleted();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    atNode.decrementAndGet();
                }
            }).start();
        });
        String body = "{\"client\":\"" + node + "\",\"profile\":\"heap\"}";

        List<CompletableFuture<HttpResponse<byte[]>>> requests = IntStream.range(0, 12)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> post(i % 2 == 0 ? a : b, body)))
                .toList();
        List<HttpResponse<byte[]>> refused = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            NODE.nextRequest(node);
        }
        // the refused ones are answered at once; the admitted ones wait for the node
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (refused.size() < 8 && System.nanoTime() < deadline) {
            refused = requests.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).toList();
            Thread.sleep(50); // polling the answers, bounded by the deadline
        }
        assertEquals(8, refused.size(), "8 of 12 refused while 4 are at the node");
        refused.forEach(r -> assertEquals(429, r.statusCode()));
        refused.forEach(r -> assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("node-busy"),
                () -> new String(r.body(), StandardCharsets.UTF_8)));
        release.countDown();
        for (CompletableFuture<HttpResponse<byte[]>> request : requests) {
            HttpResponse<byte[]> response = request.get(60, TimeUnit.SECONDS);
            assertTrue(response.statusCode() == 200 || response.statusCode() == 429, () -> "status " + response.statusCode());
        }
        assertEquals(4, most.get(), "at most 4 calls at the node at once, over both instances");
    }

    @Test
    void anInstanceThatDies_givesItsPlacesBackWithinTheLease() throws Exception {
        PayaraMicro c = start(2);
        c.awaitReady(BOOT_TIMEOUT);
        awaitLog(a, "DG Size: 3", "the third instance joins the grid");
        AtomicInteger calls = new AtomicInteger();
        byte[] heap = random(10_000, 3);
        // the first four calls hang (the dying instance's); later ones answer
        String node = node((request, out) -> {
            if (calls.incrementAndGet() > 4) {
                out.onNext(com.hydden.diagnostics.grid.api.ProfileChunk.newBuilder()
                        .setData(com.google.protobuf.ByteString.copyFrom(heap)).build());
                out.onCompleted();
            }
        });
        String body = "{\"client\":\"" + node + "\",\"profile\":\"heap\"}";
        List<CompletableFuture<HttpResponse<byte[]>>> doomed = IntStream.range(0, 4)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> post(c, body))).toList();
        for (int i = 0; i < 4; i++) {
            NODE.nextRequest(node);
        }
        assertEquals(429, post(b, body).statusCode(), "the dying instance holds all four places");

        c.kill();
        long killed = System.nanoTime();
        HttpResponse<byte[]> answer;
        do {
            answer = post(b, body);
            Thread.sleep(100); // polling for the places to come back, bounded below
        } while (answer.statusCode() == 429 && System.nanoTime() - killed < LEASE.plusSeconds(15).toNanos());

        assertEquals(200, answer.statusCode(), "places still held " + Duration.ofNanos(System.nanoTime() - killed)
                + " after the instance died (lease " + LEASE + ")");
        assertArrayEquals(heap, answer.body());
        doomed.forEach(d -> d.completeExceptionally(new IllegalStateException("server killed")));
    }

    private static PayaraMicro start(int index) throws IOException {
        String members = IntStream.of(GRID_PORTS).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        String nodes = IntStream.range(0, NODES).mapToObj(i -> "cluster-node-" + i + "=127.0.0.1:" + NODE.port())
                .collect(Collectors.joining(","));
        PayaraMicro server = PayaraMicro.start(
                Path.of(System.getProperty("diagnostics.payara-micro", "target/payara-micro.jar")),
                Path.of(System.getProperty("diagnostics.war", "target/diagnostics.war")),
                freePort(),
                Map.of("diagnostics.grid.nodes", nodes,
                        "diagnostics.grid.tls", "false",
                        "diagnostics.grid.timeout", "PT60S",
                        "diagnostics.auth.api-tokens", tokens.toString(),
                        "diagnostics.pprof.share-window", "PT60S",
                        "diagnostics.pprof.max-per-caller", "100",
                        "diagnostics.cluster.lease", LEASE.toString()),
                ProcessBuilder.Redirect.to(work.resolve("payara-micro-" + index + ".log").toFile()),
                List.of("--clustername", cluster,
                        "--clustermode", "tcpip:" + members,
                        "--interfaces", "127.0.0.1",
                        "--nohostaware",
                        "--startport", Integer.toString(GRID_PORTS[index])));
        servers.add(server);
        return server;
    }

    private static synchronized String node(TestNode.Script script) {
        String id = "cluster-node-" + nextNode++;
        NODE.script(id, script);
        return id;
    }

    private static void awaitCallers(int callers) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        double seen;
        while ((seen = gauge(a) + gauge(b)) != callers) {
            assertTrue(System.nanoTime() < deadline, "cpu callers over both instances: " + seen + ", expected " + callers);
            Thread.sleep(20); // polling gauges, bounded by the deadline
        }
    }

    private static double gauge(PayaraMicro server) throws Exception {
        return Metrics.gauge(server.baseUri(), "diagnostics_pprof_cpu_callers");
    }

    private static void awaitLog(PayaraMicro server, String text, String what) throws Exception {
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        while (!server.logContains(text)) {
            assertTrue(System.nanoTime() < deadline, what + ": no '" + text + "' in the log" + server.logTail());
            Thread.sleep(250); // polling the log, bounded by the deadline
        }
    }

    private static HttpResponse<byte[]> post(PayaraMicro server, String json) {
        try {
            return HTTP.send(HttpRequest.newBuilder(server.baseUri().resolve("internal/v1/pprof"))
                    .timeout(Duration.ofSeconds(90))
                    .header("Authorization", "Bearer " + TOKEN)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("POST to " + server.baseUri() + " failed", e);
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
