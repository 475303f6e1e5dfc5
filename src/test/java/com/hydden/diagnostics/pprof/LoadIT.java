package com.hydden.diagnostics.pprof;

import static com.hydden.diagnostics.testing.Api.body;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.hydden.diagnostics.grid.api.ProfileChunk;
import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.Scripts;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Many callers at once, on the embedded server's stock HTTP thread pool. Figures are printed; only
 * correctness and gross memory bounds are asserted, never timings.
 */
@ExtendWith(ArquillianExtension.class)
class LoadIT {

    private static final int WAITING = 2000;
    private static final int SLOW_READERS = 20;
    private static final int SLOW_PROFILE_BYTES = 16 << 20;
    private static final int SLOW_READ_BYTES_PER_SECOND = 1 << 20;

    @Deployment(testable = false)
    static WebArchive deployment() {
        // Each waiting request goes to a node of its own: 2,000 addresses on the loopback network, all
        // served by the shared test node, so the gateway holds 2,000 channels.
        String wide = IntStream.range(0, WAITING)
                .mapToObj(i -> wideNode(i) + "=" + loopback(i) + ":" + Deployments.NODE.port())
                .collect(Collectors.joining(","));
        // Opening 2,000 connections at once on two cores takes longer than the shared 2 s limits.
        return Deployments.war(Map.of(
                "diagnostics.grid.nodes", Deployments.NODES + "," + wide,
                "diagnostics.grid.max-channels", String.valueOf(2 * WAITING),
                "diagnostics.grid.connect-timeout", "PT60S",
                "diagnostics.grid.timeout", "PT60S"));
    }

    @ArquillianResource
    URL base;

    private static String wideNode(int i) {
        return "wide-" + i;
    }

    private static String loopback(int i) {
        return "127.0." + (1 + i / 250) + "." + (1 + i % 250);
    }

    @Test
    void twoThousandWaitingCpuRequests_areAllAnswered_andAHeapRequestPassesThemAtItsNormalSpeed() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        CountDownLatch arrived = new CountDownLatch(WAITING);
        List<ServerCallStreamObserver<ProfileChunk>> held = new ArrayList<>(Collections.nCopies(WAITING, null));
        for (int i = 0; i < WAITING; i++) {
            int node = i;
            Deployments.NODE.script(wideNode(i), (request, out) -> {
                held.set(node, out);
                arrived.countDown();
            });
        }
        byte[] heap = PprofIT.random(50_000, 13);
        String quickNode = Deployments.node(Scripts.answer(heap));
        Api api = new Api(base);
        long quickAloneNanos = timed(() -> assertArrayEquals(heap, api.profile(body(quickNode, "heap")).body()));

        HttpClient clients = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30)).build();
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
        for (int i = 0; i < WAITING; i++) {
            responses.add(clients.sendAsync(api.post(body(wideNode(i), "cpu")).timeout(Duration.ofSeconds(300)).build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        assertTrue(arrived.await(150, TimeUnit.SECONDS),
                (WAITING - arrived.getCount()) + " of " + WAITING + " requests reached their node within 150 s");
        long allArrivedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        int threadsWhileWaiting = threads.getThreadCount();
        long workers = Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
                .filter(t -> t != null && t.getThreadName().startsWith("http-thread-pool::http-listener"))
                .count();

        long quickUnderLoadNanos = timed(() -> assertArrayEquals(heap, api.profile(body(quickNode, "heap")).body()));

        for (int i = 0; i < WAITING; i++) {
            ServerCallStreamObserver<ProfileChunk> out = held.get(i);
            out.onNext(ProfileChunk.newBuilder().setData(ByteString.copyFromUtf8(wideNode(i))).build());
            out.onCompleted();
        }
        for (int i = 0; i < WAITING; i++) {
            HttpResponse<byte[]> response = responses.get(i).get(120, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), "request " + i);
            assertEquals(wideNode(i), new String(response.body(), StandardCharsets.UTF_8));
        }
        System.out.printf("%d waiting cpu requests: all at their node after %d ms, all answered after %d ms; "
                        + "JVM threads while waiting %d (server, "
                        + "test nodes and clients in one JVM), HTTP workers %d; heap profile alone %d ms, "
                        + "past the waiting requests %d ms%n",
                WAITING, allArrivedMillis, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                threadsWhileWaiting, workers,
                TimeUnit.NANOSECONDS.toMillis(quickAloneNanos), TimeUnit.NANOSECONDS.toMillis(quickUnderLoadNanos));
    }

    @Test
    void twentySlowReaders_holdOnlyAFewChunksEach() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long baseline = usedHeapAfterGc(memory);
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < SLOW_READERS; i++) {
            nodes.add(Deployments.node(Scripts.generated(i, SLOW_PROFILE_BYTES)));
        }
        AtomicLong peak = new AtomicLong(baseline);
        ExecutorService readers = Executors.newFixedThreadPool(SLOW_READERS + 1);
        Api api = Api.withOwnConnections(base);
        try {
            List<Future<byte[]>> digests = new ArrayList<>();
            for (int i = 0; i < SLOW_READERS; i++) {
                String node = nodes.get(i);
                digests.add(readers.submit(() -> readSlowly(api, node)));
            }
            Future<?> sampler = readers.submit(() -> {
                while (!digests.stream().allMatch(Future::isDone)) {
                    peak.accumulateAndGet(usedHeapAfterGc(memory), Math::max);
                    TimeUnit.SECONDS.sleep(2); // sampling interval, not synchronization
                }
                return null;
            });
            for (int i = 0; i < SLOW_READERS; i++) {
                assertArrayEquals(expectedDigest(i), digests.get(i).get(120, TimeUnit.SECONDS), "reader " + i);
            }
            sampler.get(30, TimeUnit.SECONDS);
        } finally {
            readers.shutdownNow();
        }
        long growth = peak.get() - baseline;
        System.out.printf("%d readers of %d MiB at %d KiB/s: peak heap growth %d MiB (%d KiB per transfer)%n",
                SLOW_READERS, SLOW_PROFILE_BYTES >> 20, SLOW_READ_BYTES_PER_SECOND >> 10, growth >> 20,
                growth / SLOW_READERS >> 10);
        // Each transfer holds a few chunks, the 1 MiB gRPC window and 256 KiB queued for its socket (measured:
        // up to ~1.7 MiB, clients' buffers in this JVM included); a server that buffers ahead of the client
        // holds many MiB each (Grizzly's own write queue alone: about 10 MiB per client on loopback).
        assertTrue(growth < (long) SLOW_READERS * SLOW_PROFILE_BYTES / 4,
                "heap grew by " + (growth >> 20) + " MiB: transfers are being buffered");
    }

    private static byte[] expectedDigest(int profile) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (int k = 0; k < SLOW_PROFILE_BYTES / Scripts.CHUNK; k++) {
            digest.update(Scripts.generatedChunk(profile, k));
        }
        return digest.digest();
    }

    private static byte[] readSlowly(Api api, String node) throws Exception {
        HttpResponse<InputStream> response = api.stream(body(node, "heap"));
        assertEquals(200, response.statusCode());
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[16 * 1024];
            long start = System.nanoTime();
            long read = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
                read += n;
                long aheadMillis = (read * 1000 / SLOW_READ_BYTES_PER_SECOND)
                        - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                if (aheadMillis > 0) {
                    Thread.sleep(aheadMillis); // pacing the reader, not synchronizing
                }
            }
        }
        return digest.digest();
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    private interface Action {
        void run() throws Exception;
    }

    private static long timed(Action action) throws Exception {
        long start = System.nanoTime();
        action.run();
        return System.nanoTime() - start;
    }
}
