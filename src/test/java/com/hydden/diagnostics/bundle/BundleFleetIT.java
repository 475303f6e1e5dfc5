package com.hydden.diagnostics.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.hydden.diagnostics.grid.api.ProfileChunk;
import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.Scripts;
import com.hydden.diagnostics.testing.TestNode;
import jakarta.json.JsonObject;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URL;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A fleet of 50 listed nodes: "*" takes exactly them, and 50 large profiles cost memory by the parallelism only. */
@ExtendWith(ArquillianExtension.class)
class BundleFleetIT {

    private static final int FLEET = 50;
    private static final int PROFILE_BYTES = 8 << 20;
    private static final List<String> NODES = IntStream.range(0, FLEET).mapToObj(i -> "fleet-" + i).toList();

    @Deployment(testable = false)
    static WebArchive deployment() {
        // only the fleet is listed, so "*" means these 50 nodes
        return Deployments.war(Map.of("diagnostics.grid.nodes", NODES.stream()
                .map(id -> id + "=127.0.0.1:" + Deployments.NODE.port()).collect(Collectors.joining(","))));
    }

    @ArquillianResource
    URL base;

    @Test
    void star_selectsEveryListedNode_inTheListedOrder() throws Exception {
        for (String node : NODES) {
            Deployments.NODE.script(node, (request, out) ->
                    Scripts.answer(BundleIT.profile(request.getClient(), request.getProfile())).profile(request, out));
        }

        HttpResponse<byte[]> response = new Api(base).bundle("{\"clients\":\"*\",\"profiles\":[\"goroutine\"]}");

        assertEquals(200, response.statusCode(), () -> new String(response.body()));
        try (BundleArchive archive = BundleArchive.of(response.body())) {
            JsonObject manifest = archive.manifest();
            assertEquals("*", manifest.getJsonObject("request").getString("clients"));
            List<JsonObject> items = manifest.getJsonArray("items").getValuesAs(JsonObject.class);
            assertEquals(NODES, items.stream().filter(i -> i.getString("profile").equals("goroutine"))
                    .map(i -> i.getString("node")).toList());
            for (String node : NODES) {
                assertEquals(BundleArchive.sha256(BundleIT.profile(node, "goroutine")),
                        archive.sha256(node + "/goroutine.pb.gz"), node);
                assertTrue(archive.has(node + "/stats.json"), node);
            }
            assertEquals(2 * FLEET + 1, archive.names().size());
        }
    }

    @Test
    void fiftyNodesOfEightMiB_heapGrowsByTheParallelism_notByTheFleet() throws Exception {
        for (int i = 0; i < FLEET; i++) {
            Deployments.NODE.script(NODES.get(i), Scripts.generated(i, PROFILE_BYTES));
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long baseline = usedHeapAfterGc(memory);
        AtomicLong peak = new AtomicLong(baseline);
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService sampler = Executors.newSingleThreadExecutor();
        BundleArchive archive;
        try {
            Future<?> sampling = sampler.submit(() -> {
                while (!done.get()) {
                    peak.accumulateAndGet(usedHeapAfterGc(memory), Math::max);
                    TimeUnit.MILLISECONDS.sleep(500); // sampling interval, not synchronization
                }
                return null;
            });
            HttpResponse<InputStream> response = new Api(base).streamBundle("{\"clients\":\"*\",\"profiles\":[\"heap\"]}");
            assertEquals(200, response.statusCode());
            archive = BundleArchive.save(response.body());
            done.set(true);
            sampling.get(30, TimeUnit.SECONDS);
        } finally {
            done.set(true);
            sampler.shutdownNow();
        }
        try (archive) {
            List<JsonObject> items = archive.manifest().getJsonArray("items").getValuesAs(JsonObject.class);
            for (int i = 0; i < FLEET; i++) {
                String node = NODES.get(i);
                JsonObject item = items.stream().filter(j -> j.getString("node").equals(node)
                        && j.getString("profile").equals("heap")).findFirst().orElseThrow();
                String expected = expectedDigest(i);
                assertEquals(200, item.getInt("status"), item.toString());
                assertEquals(expected, item.getString("sha256"), node);
                assertEquals(expected, archive.sha256(node + "/heap.pb.gz"), node);
            }
        }
        long growth = peak.get() - baseline;
        System.out.printf("bundle of %d nodes x %d MiB: peak heap growth %d MiB%n", FLEET, PROFILE_BYTES >> 20,
                growth >> 20);
        // 16 calls at once, each holding a few chunks and its 1 MiB gRPC window (test node's side included):
        // some tens of MiB. Holding the profiles until written would be 400 MiB.
        assertTrue(growth < (long) FLEET * PROFILE_BYTES / 4,
                "heap grew by " + (growth >> 20) + " MiB: items are being buffered");
    }

    private static String expectedDigest(int profile) {
        MessageDigest digest = BundleArchive.sha256();
        for (int k = 0; k < PROFILE_BYTES / Scripts.CHUNK; k++) {
            digest.update(Scripts.generatedChunk(profile, k));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
