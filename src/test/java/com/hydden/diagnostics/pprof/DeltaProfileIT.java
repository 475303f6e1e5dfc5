package com.hydden.diagnostics.pprof;

import static com.hydden.diagnostics.testing.Api.body;
import static com.hydden.diagnostics.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import com.hydden.diagnostics.grid.api.ProfileChunk;
import com.hydden.diagnostics.grid.api.ProfileRequest;
import com.hydden.diagnostics.grid.api.Runtime;
import com.hydden.diagnostics.grid.api.Stats;
import com.hydden.diagnostics.profile.HandBuilt;
import com.hydden.diagnostics.profile.ProfileCodec;
import com.hydden.diagnostics.profile.proto.Profile;
import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.RawHttp;
import com.hydden.diagnostics.testing.Scripts;
import com.hydden.diagnostics.testing.TestNode;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipFile;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Delta profiles against nodes that answer two different snapshots. Nodes of their own, because GetStats
 * names no node ID: one node that runs on, one that restarts between the snapshots.
 */
@ExtendWith(ArquillianExtension.class)
class DeltaProfileIT {

    private static final long MAX_PROFILE_BYTES = 64 * 1024;
    private static final long T0 = Instant.parse("2026-03-01T10:00:00Z").getEpochSecond() * 1_000_000_000L;
    private static final List<String> LOAD = List.of("runtime.mallocgc", "main.load", "main.main");
    private static final List<String> PARSE = List.of("runtime.mallocgc", "main.parse", "main.main");

    /** Up since long ago and staying up: its uptime grows with the clock. */
    private static final TestNode STEADY = new TestNode();
    /** Says 1000 s of uptime to the first GetStats, 2 s to every later one. */
    private static final TestNode RESTARTING = new TestNode();
    private static final AtomicInteger RESTARTING_STATS = new AtomicInteger();
    private static final int IDS = 20;

    static {
        long started = System.nanoTime();
        STEADY.stats(out -> {
            out.onNext(stats("steady-node", 1000 + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
            out.onCompleted();
        });
        RESTARTING.stats(out -> {
            out.onNext(stats("restarting-node", RESTARTING_STATS.getAndIncrement() == 0 ? 1000 : 2));
            out.onCompleted();
        });
    }

    private static int nextSteady;
    private static int nextRestarting;

    @Deployment(testable = false)
    static WebArchive deployment() {
        StringBuilder nodes = new StringBuilder(Deployments.NODES);
        for (int i = 0; i < IDS; i++) {
            nodes.append(",steady-").append(i).append("=127.0.0.1:").append(STEADY.port());
            nodes.append(",restarting-").append(i).append("=127.0.0.1:").append(RESTARTING.port());
        }
        return Deployments.war(Map.of(
                "diagnostics.grid.nodes", nodes.toString(),
                "diagnostics.pprof.max-per-node", "1",
                "diagnostics.pprof.max-profile-bytes", String.valueOf(MAX_PROFILE_BYTES)));
    }

    @ArquillianResource
    URL base;

    @Test
    void heapDelta_isExactlyTheDifference_withInUseFromTheSecond_andDescribesItself() throws Exception {
        Profile first = HandBuilt.heap(100, 0x40_0000, "pad").time(T0)
                .sample(LOAD, 5, 500, 4, 400).sample(PARSE, 1, 10, 1, 10).build();
        Profile second = HandBuilt.heap(7, 0x7f00_0000L).time(T0 + 5_000_000_000L)
                .sample(PARSE, 3, 30, 2, 20).sample(LOAD, 9, 900, 1, 100).build();
        String node = steady(twoSnapshots(first, second));

        HttpResponse<byte[]> response = new Api(base).profile(delta(node, "heap", 1));

        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        Profile delta = ProfileCodec.decode(new ByteArrayInputStream(response.body()), Long.MAX_VALUE);
        assertEquals(Map.of(LOAD, List.of(4L, 400L, 1L, 100L), PARSE, List.of(2L, 20L, 2L, 20L)),
                HandBuilt.valuesByStack(delta));
        assertEquals(T0 + 5_000_000_000L, delta.getTimeNanos());
        assertEquals(5_000_000_000L, delta.getDurationNanos());
        List<String> comments = delta.getCommentList().stream().map(i -> delta.getStringTable(i.intValue())).toList();
        assertTrue(comments.stream().anyMatch(c -> c.contains("steady-node")), comments::toString);
        assertTrue(comments.stream().anyMatch(c -> c.contains("2026-03-01T10:00:00Z/2026-03-01T10:00:05Z")), comments::toString);

        String disposition = response.headers().firstValue("Content-Disposition").orElse("");
        assertTrue(disposition.matches("attachment; filename=hydden-heap-delta-\\d{8}T\\d{6}Z\\.out"), disposition);
        assertEquals("2026-03-01T10:00:00.000Z/2026-03-01T10:00:05.000Z",
                response.headers().firstValue("X-Profile-Window").orElse(""));
        assertEquals("steady-node", response.headers().firstValue("X-Grid-Node").orElse(""));
        assertEquals("linux/amd64", response.headers().firstValue("X-Grid-Go-Arch").orElse(""));

        for (int call = 0; call < 2; call++) {
            ProfileRequest asked = STEADY.nextRequest(node);
            assertEquals("heap", asked.getProfile());
            assertEquals(0, asked.getSeconds(), "a snapshot is not a cpu profile: no seconds for the node");
        }
    }

    @Test
    void bundleWithSeconds_collectsDeltaProfiles_andTheManifestGivesTheirWindow() throws Exception {
        Profile first = HandBuilt.heap(100, 0x40_0000, "pad").time(T0).sample(LOAD, 5, 500, 4, 400).build();
        Profile second = HandBuilt.heap(7, 0x7f00_0000L).time(T0 + 5_000_000_000L).sample(LOAD, 9, 900, 1, 100).build();
        String node = steady(twoSnapshots(first, second));

        HttpResponse<byte[]> response = new Api(base).bundle(
                "{\"clients\":[\"" + node + "\"],\"profiles\":[\"heap\"],\"seconds\":1}");

        assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        Path zip = Files.createTempFile("bundle", ".zip");
        try {
            Files.write(zip, response.body());
            try (ZipFile archive = new ZipFile(zip.toFile())) {
                Profile delta = ProfileCodec.decode(archive.getInputStream(archive.getEntry(node + "/heap.pb.gz")),
                        Long.MAX_VALUE);
                assertEquals(Map.of(LOAD, List.of(4L, 400L, 1L, 100L)), HandBuilt.valuesByStack(delta));
                JsonObject item = Json.createReader(archive.getInputStream(archive.getEntry("manifest.json")))
                        .readObject().getJsonArray("items").getValuesAs(JsonObject.class).stream()
                        .filter(i -> i.getString("profile").equals("heap")).findFirst().orElseThrow();
                assertEquals(200, item.getInt("status"));
                assertEquals("2026-03-01T10:00:00.000Z/2026-03-01T10:00:05.000Z", item.getString("window"));
            }
        } finally {
            Files.delete(zip);
        }
    }

    @Test
    void everyDeltaProfileType_isAnswered() throws Exception {
        for (String type : List.of("allocs", "block", "mutex", "goroutine", "threadcreate")) {
            Profile first = new HandBuilt(1, 0).types(type + "/count").time(T0).sample(LOAD, 2).build();
            Profile second = new HandBuilt(40, 0, "x").types(type + "/count").time(T0 + 1).sample(LOAD, 7).build();
            String node = steady(twoSnapshots(first, second));

            HttpResponse<byte[]> response = new Api(base).profile(delta(node, type, 1));

            assertEquals(200, response.statusCode(), type + ": " + new String(response.body(), StandardCharsets.UTF_8));
            assertEquals(Map.of(LOAD, List.of(5L)),
                    HandBuilt.valuesByStack(ProfileCodec.decode(new ByteArrayInputStream(response.body()), Long.MAX_VALUE)), type);
            assertTrue(response.headers().firstValue("Content-Disposition").orElse("").contains("hydden-" + type + "-delta-"));
        }
    }

    @Test
    void nodeRestartedBetweenTheSnapshots_is409() throws Exception {
        Profile snapshot = HandBuilt.heap(1, 0).sample(LOAD, 1, 1, 1, 1).build();
        String node = "restarting-" + nextRestarting++;
        RESTARTING.script(node, twoSnapshots(snapshot, snapshot));

        assertProblem(new Api(base).profile(delta(node, "heap", 1)), 409, "node-restarted");
    }

    @Test
    void mismatchedSampleTypes_is500ProfilingFailed_sayingWhy() throws Exception {
        Profile first = new HandBuilt(1, 0).types("contentions/count", "delay/nanoseconds").sample(LOAD, 1, 1).build();
        Profile second = new HandBuilt(1, 0).types("contentions/count").sample(LOAD, 2).build();
        String node = steady(twoSnapshots(first, second));

        String detail = assertProblem(new Api(base).profile(delta(node, "mutex", 1)), 500, "profiling-failed")
                .getString("detail");
        assertTrue(detail.contains("sample types"), detail);
    }

    @Test
    void snapshotBeyondTheCap_is500ProfileTooLarge_namingTheKey() throws Exception {
        // a valid start of a profile whose one string decompresses to 1 MiB: a few KB on the wire
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(file)) {
            out.write(new byte[] {0x32, (byte) 0x80, (byte) 0x80, 0x40});
            out.write(new byte[1024 * 1024]);
        }
        String node = steady(Scripts.answer(file.toByteArray()));

        String detail = assertProblem(new Api(base).profile(delta(node, "heap", 1)), 500, "profile-too-large")
                .getString("detail");
        assertTrue(detail.contains("diagnostics.pprof.max-profile-bytes"), detail);
    }

    @Test
    void clientLeavesDuringTheWait_runEnds_noSecondSnapshot_nodePlaceFreed() throws Exception {
        Profile snapshot = HandBuilt.heap(1, 0).sample(LOAD, 1, 1, 1, 1).build();
        CountDownLatch firstSent = new CountDownLatch(1);
        AtomicInteger heapCalls = new AtomicInteger();
        byte[] goroutines = encode(new HandBuilt(1, 0).types("goroutine/count").sample(LOAD, 3).build());
        String node = steady((request, out) -> {
            if (request.getProfile().equals("heap")) {
                heapCalls.incrementAndGet();
                out.onNext(ProfileChunk.newBuilder().setData(ByteString.copyFrom(encode(snapshot))).build());
                out.onCompleted();
                firstSent.countDown();
            } else {
                Scripts.answer(goroutines).profile(request, out);
            }
        });

        try (RawHttp request = new RawHttp(base, delta(node, "heap", 120))) {
            STEADY.nextRequest(node);
            assertTrue(firstSent.await(10, TimeUnit.SECONDS), "the node never sent the first snapshot");
        }

        // max-per-node is 1 here: while the delta held on, its node would refuse every other request
        HttpResponse<byte[]> next = awaitNot429(node);
        assertEquals(200, next.statusCode(), new String(next.body(), StandardCharsets.UTF_8));
        assertEquals("goroutine", STEADY.nextRequest(node).getProfile(), "the delta went on to a second snapshot");
        assertEquals(1, heapCalls.get());
    }

    @Test
    void deltaFilesOpenInGoToolPprof() throws Exception {
        assumeTrue(goAvailable(), "go is not installed here");
        Profile first = HandBuilt.heap(100, 0x40_0000).time(T0).sample(LOAD, 5, 500, 4, 400).sample(PARSE, 1, 10, 1, 10).build();
        Profile second = HandBuilt.heap(7, 0x40_0000).time(T0 + 1_000_000_000L).sample(LOAD, 9, 900, 1, 100)
                .sample(PARSE, 3, 30, 2, 20).build();
        String node = steady(twoSnapshots(first, second));

        HttpResponse<byte[]> response = new Api(base).profile(delta(node, "heap", 1));
        assertEquals(200, response.statusCode());
        Path dir = Files.createTempDirectory("delta");
        try {
            Path delta = Files.write(dir.resolve("delta.out"), response.body());
            Path base0 = Files.write(dir.resolve("first.out"), encode(first));
            Path second1 = Files.write(dir.resolve("second.out"), encode(second));

            String ours = goPprof(dir, "-top", "-sample_index=alloc_space", delta.toString());
            String theirs = goPprof(dir, "-top", "-sample_index=alloc_space", "-base", base0.toString(), second1.toString());
            assertTrue(ours.contains("main.load"), ours);
            assertEquals(4, topLines(ours).size(), "a row per function: " + ours);
            assertEquals(topLines(theirs), topLines(ours), "alloc_space differs from go tool pprof -base");
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static List<String> topLines(String top) {
        // the rows of -top: flat, flat%, sum%, cum, cum%, name
        return top.lines().filter(l -> l.matches("\\s*-?[0-9.]+[A-Za-z]*\\s+-?[0-9.]+%.*")).toList();
    }

    private static boolean goAvailable() {
        try {
            return new ProcessBuilder("go", "version").redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String goPprof(Path dir, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("go", "tool", "pprof"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("HOME", dir.toString());
        builder.environment().put("PPROF_TMPDIR", dir.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "go tool pprof did not end");
        assertEquals(0, process.exitValue(), output);
        assertFalse(output.isBlank());
        return output;
    }

    private HttpResponse<byte[]> awaitNot429(String node) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        HttpResponse<byte[]> response;
        do {
            response = new Api(base).profile(body(node, "goroutine"));
        } while (response.statusCode() == 429 && System.nanoTime() < deadline);
        return response;
    }

    private static synchronized String steady(TestNode.Script script) {
        String node = "steady-" + nextSteady++;
        STEADY.script(node, script);
        return node;
    }

    /** The first call gets {@code first}, every later one {@code second}. */
    static TestNode.Script twoSnapshots(Profile first, Profile second) {
        AtomicLong calls = new AtomicLong();
        byte[] one = encode(first);
        byte[] two = encode(second);
        return (request, out) -> Scripts.answer(calls.getAndIncrement() == 0 ? one : two).profile(request, out);
    }

    static String delta(String node, String profile, int seconds) {
        return "{\"client\":\"" + node + "\",\"profile\":\"" + profile + "\",\"seconds\":" + seconds + "}";
    }

    static byte[] encode(Profile profile) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try {
            ProfileCodec.encode(profile, file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return file.toByteArray();
    }

    static Stats stats(String id, long uptime) {
        return Stats.newBuilder().setNID(id).setVersion("2.3.4").setComponent("grid.client").setUptime(uptime)
                .setRuntime(Runtime.newBuilder().setVersion("go1.22.3").setOS("linux").setArch("amd64"))
                .build();
    }
}
