package com.hydden.diagnostics.bundle;

import static com.hydden.diagnostics.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.hydden.diagnostics.grid.api.ProfileChunk;
import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.LogCapture;
import com.hydden.diagnostics.testing.RawHttp;
import com.hydden.diagnostics.testing.Scripts;
import com.hydden.diagnostics.testing.TestNode;
import io.grpc.Status;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;
import java.util.stream.Collectors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bundles over many test nodes, healthy and not: what the archive holds, what is refused, what a departure stops. */
@ExtendWith(ArquillianExtension.class)
class BundleIT {

    private static final List<String> PROFILES = List.of("goroutine", "heap", "cpu");
    private static final String UNKNOWN = "not-a-listed-node";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war();
    }

    @ArquillianResource
    URL base;

    private enum Fate { HEALTHY, SLOW, MID_STREAM, HANGING, FAILING, OFFLINE, UNKNOWN }

    @Test
    void twentyFiveNodesOfEveryKind_archiveHoldsEachProfileOrItsError_andTheManifestTellsWhich() throws Exception {
        Map<String, Fate> nodes = new LinkedHashMap<>();
        for (int i = 0; i < 16; i++) {
            nodes.put(Deployments.node(healthy()), Fate.HEALTHY);
        }
        for (int i = 0; i < 2; i++) {
            nodes.put(Deployments.node(slow()), Fate.SLOW);
            nodes.put(Deployments.node((request, out) -> Scripts.failAfter(profile(request.getClient(),
                    request.getProfile()), 100_000, Status.INTERNAL).profile(request, out)), Fate.MID_STREAM);
            nodes.put(Deployments.node(Scripts.hang(() -> { })), Fate.HANGING);
        }
        nodes.put(Deployments.node(Scripts.fail(Status.INTERNAL)), Fate.FAILING);
        nodes.put(Deployments.OFFLINE, Fate.OFFLINE);
        nodes.put(UNKNOWN, Fate.UNKNOWN);
        String clients = nodes.keySet().stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(","));
        Instant before = Instant.now();

        HttpResponse<byte[]> response;
        JsonObject manifest;
        try (LogCapture logs = LogCapture.start()) {
            // no seconds: with them, goroutine and heap would be delta profiles, and these nodes answer any bytes
            response = new Api(base).bundle("{\"clients\":[" + clients + "],\"profiles\":[\"goroutine\",\"heap\",\"cpu\"]}");

            assertEquals(200, response.statusCode(), () -> new String(response.body()));
            assertEquals("application/zip", response.headers().firstValue("Content-Type").orElse(""));
            assertTrue(response.headers().firstValue("Content-Disposition").orElse("")
                    .matches("attachment; filename=hydden-bundle-[0-9]{8}T[0-9]{6}Z\\.zip"), response.headers().toString());
            String id = response.headers().firstValue("X-Request-Id").orElseThrow();
            try (BundleArchive archive = BundleArchive.of(response.body())) {
                manifest = archive.manifest();
                assertEquals(id, manifest.getString("bundle"));
                assertEquals("ci", manifest.getString("caller"));
                Instant started = Instant.parse(manifest.getString("started"));
                assertFalse(started.isBefore(before.minusSeconds(1)), manifest.getString("started"));
                assertFalse(Instant.parse(manifest.getString("ended")).isBefore(started));
                JsonObject request = manifest.getJsonObject("request");
                assertEquals(new ArrayList<>(nodes.keySet()), request.getJsonArray("clients").getValuesAs(
                        jakarta.json.JsonString.class).stream().map(jakarta.json.JsonString::getString).toList());
                assertEquals(PROFILES, request.getJsonArray("profiles").getValuesAs(jakarta.json.JsonString.class)
                        .stream().map(jakarta.json.JsonString::getString).toList());
                assertEquals("grid.client", request.getString("module"));
                assertTrue(request.isNull("seconds"), request.toString());

                List<JsonObject> items = manifest.getJsonArray("items").getValuesAs(JsonObject.class);
                assertEquals(nodes.size() * 4, items.size());
                int i = 0;
                for (Map.Entry<String, Fate> node : nodes.entrySet()) {
                    checkStats(archive, items.get(i++), node.getKey(), node.getValue());
                    for (String profile : PROFILES) {
                        checkProfile(archive, items.get(i++), node.getKey(), profile, node.getValue());
                    }
                }
                assertEquals(items.size() + 1, archive.names().size(), archive.names().toString());
            }

            LogRecord line = logs.await(r -> r.getLoggerName().equals("diagnostics.audit")
                    && r.getMessage().contains("\"requestId\":\"" + id + "\""), Duration.ofSeconds(10))
                    .orElseThrow(() -> new AssertionError("no audit line for bundle " + id));
            JsonObject audit = Json.createReader(new StringReader(line.getMessage())).readObject();
            assertEquals(id, audit.getString("bundle"));
            assertEquals(200, audit.getInt("status"));
            assertEquals("complete", audit.getString("outcome"));
            assertEquals(response.body().length, audit.getJsonNumber("bytes").longValue());
            List<JsonObject> itemLines = logs.lines().stream()
                    .filter(l -> l.startsWith("diagnostics.audit ") && l.contains("\"bundle\":\"" + id + "\"")
                            && !l.contains("\"requestId\":\"" + id + "\""))
                    .map(l -> Json.createReader(new StringReader(l.substring(l.indexOf('{')))).readObject())
                    .toList();
            assertEquals(nodes.size() * 4, itemLines.size());
            for (JsonObject item : itemLines) {
                assertEquals("ci", item.getString("caller"), item.toString());
                assertFalse(item.isNull("node"), item.toString());
            }
        }
    }

    private static void checkStats(BundleArchive archive, JsonObject item, String node, Fate fate) throws Exception {
        assertEquals(node, item.getString("node"));
        assertEquals("stats", item.getString("profile"));
        assertTrue(item.isNull("window"));
        switch (fate) {
            case OFFLINE -> checkError(archive, item, node + "/stats.error.json", 404, "node-offline");
            case UNKNOWN -> checkError(archive, item, node + "/stats.error.json", 404, "unknown-node");
            default -> {
                // the shared test node answers GetStats for every ID
                byte[] stats = archive.bytes(node + "/stats.json");
                assertEquals(200, item.getInt("status"), item.toString());
                assertEquals(BundleArchive.sha256(stats), item.getString("sha256"));
                assertEquals(stats.length, item.getInt("bytes"));
                assertEquals("test", archive.json(node + "/stats.json").getString("nID"));
            }
        }
    }

    private static void checkProfile(BundleArchive archive, JsonObject item, String node, String profile, Fate fate)
            throws Exception {
        assertEquals(node, item.getString("node"));
        assertEquals(profile, item.getString("profile"));
        String entry = node + "/" + profile + ".pb.gz";
        String error = node + "/" + profile + ".error.json";
        switch (fate) {
            case HEALTHY, SLOW -> {
                byte[] expected = profile(node, profile);
                assertEquals(200, item.getInt("status"), item.toString());
                assertEquals(BundleArchive.sha256(expected), archive.sha256(entry), entry);
                assertEquals(BundleArchive.sha256(expected), item.getString("sha256"));
                assertEquals(expected.length, item.getInt("bytes"));
                assertTrue(item.isNull("error"));
                assertFalse(archive.has(error));
                if (profile.equals("cpu")) {
                    // the window really sampled: from the call to the node's first byte (this node answers at once)
                    String[] window = item.getString("window").split("/");
                    assertFalse(Instant.parse(window[1]).isBefore(Instant.parse(window[0])), item.toString());
                } else {
                    assertTrue(item.isNull("window"), item.toString());
                }
            }
            case MID_STREAM -> checkError(archive, item, error, 500, "profiling-failed");
            case HANGING -> checkError(archive, item, error, 500, "node-timeout");
            case FAILING -> checkError(archive, item, error, 500, "profiling-failed");
            case OFFLINE -> checkError(archive, item, error, 404, "node-offline");
            case UNKNOWN -> checkError(archive, item, error, 404, "unknown-node");
        }
        if (fate != Fate.HEALTHY && fate != Fate.SLOW) {
            assertFalse(archive.has(entry), entry + " is in the archive beside its error");
        }
    }

    private static void checkError(BundleArchive archive, JsonObject item, String entry, int status, String kind)
            throws Exception {
        JsonObject problem = archive.json(entry);
        assertEquals("urn:hydden:diagnostics:problem:" + kind, problem.getString("type"), entry);
        assertEquals(status, problem.getInt("status"), entry);
        assertFalse(problem.getString("detail").isBlank());
        assertEquals(status, item.getInt("status"), item.toString());
        assertEquals(problem.getString("type"), item.getString("error"));
        assertTrue(item.isNull("bytes") && item.isNull("sha256") && item.isNull("window"), item.toString());
    }

    @Test
    void refusals_comeBeforeTheFirstByte_asProblems() throws Exception {
        Api api = new Api(base);
        assertProblem(api.bundle("{\"clients\":[\"node-0\"],\"profiles\":[\"nope\"]}"), 400, "invalid-request");
        // the shared deployment lists more nodes than a bundle may have
        assertTrue(assertProblem(api.bundle("{\"clients\":\"*\",\"profiles\":[\"heap\"]}"), 400, "invalid-request")
                .getString("detail").contains("more than the 100"));
        assertProblem(api.send(api.postBundle("{}").setHeader("Content-Type", "text/plain").build()), 415,
                "unsupported-media-type");
        HttpRequest anonymous = HttpRequest.newBuilder(URI(base)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"clients\":[\"node-0\"],\"profiles\":[\"heap\"]}")).build();
        assertProblem(api.send(anonymous), 403, "authentication-failed");
    }

    @Test
    void nodeWithNoPlaceLeft_itsProfileIsANodeBusyEntry_itsStatsStillCome() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(4);
        String node = Deployments.node(Scripts.hang(cancelled::countDown));
        List<RawHttp> holding = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                // heap, not cpu: cpu requests would share one node call
                holding.add(new RawHttp(base, "{\"client\":\"" + node + "\",\"profile\":\"heap\"}"));
                Deployments.NODE.nextRequest(node);
            }
            HttpResponse<byte[]> response = new Api(base).bundle("{\"clients\":[\"" + node + "\"],\"profiles\":[\"heap\"]}");
            // the per-node limit counts profile calls; GetStats is not one, so the bundle still has something to say
            assertEquals(200, response.statusCode());
            try (BundleArchive archive = BundleArchive.of(response.body())) {
                assertTrue(archive.has(node + "/stats.json"));
                assertTrue(archive.has(node + "/heap.error.json"));
                JsonObject heap = archive.manifest().getJsonArray("items").getValuesAs(JsonObject.class).stream()
                        .filter(i -> i.getString("profile").equals("heap")).findFirst().orElseThrow();
                assertEquals(429, heap.getInt("status"));
                assertEquals("urn:hydden:diagnostics:problem:node-busy", heap.getString("error"));
            }
            assertEquals(0, Deployments.NODE.untakenRequests(node), "the refused item never reached the node");
        } finally {
            for (RawHttp request : holding) {
                request.close();
            }
        }
        assertTrue(cancelled.await(5, TimeUnit.SECONDS), "the held calls were not released");
    }

    @Test
    void clientLeavesWhileNodesSample_everyNodeCallIsCancelledWithinOneSecond() throws Exception {
        int count = 12;
        CountDownLatch cancelled = new CountDownLatch(count);
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            nodes.add(Deployments.node(Scripts.hang(cancelled::countDown)));
        }
        String clients = nodes.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(","));
        try (RawHttp request = new RawHttp(base, "/internal/v1/bundle",
                "{\"clients\":[" + clients + "],\"profiles\":[\"cpu\",\"goroutine\"],\"seconds\":60}")) {
            for (String node : nodes) {
                assertEquals("cpu", Deployments.NODE.nextRequest(node).getProfile()); // every node is sampling
            }
        }

        assertTrue(cancelled.await(1, TimeUnit.SECONDS),
                cancelled.getCount() + " of " + count + " nodes were not told that the bundle's client left");
    }

    @Test
    void statusAndHeaders_goOutAtOnce_whileTheNodesStillSample() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        String node = Deployments.node(Scripts.hang(cancelled::countDown));

        // HTTP/1.1 as the portal speaks it: closing the body then closes the connection
        java.util.concurrent.CompletableFuture<HttpResponse<java.io.InputStream>> answer = java.net.http.HttpClient
                .newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build().sendAsync(new Api(base).postBundle("{\"clients\":[\"" + node
                        + "\"],\"profiles\":[\"cpu\"],\"seconds\":60}").build(), HttpResponse.BodyHandlers.ofInputStream());

        HttpResponse<java.io.InputStream> response;
        try {
            response = answer.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no status within 10 s while the node samples for 60 s");
        }
        assertEquals(200, response.statusCode());
        assertEquals("application/zip", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals(1, cancelled.getCount(), "the node's call ended before its sampling time");
        response.body().close();
        assertTrue(cancelled.await(5, TimeUnit.SECONDS), "the node kept sampling for a client that left");
    }

    @Test
    void clientLeavesWhileAProfileIsWritten_everyNodeCallIsCancelled() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(2);
        String endless = Deployments.node((request, out) -> {
            out.setOnCancelHandler(cancelled::countDown);
            Runnable send = () -> {
                while (out.isReady() && !out.isCancelled()) {
                    out.onNext(ProfileChunk.newBuilder().setData(ByteString.copyFrom(new byte[Scripts.CHUNK])).build());
                }
            };
            out.setOnReadyHandler(send);
            send.run();
        });
        String hanging = Deployments.node(Scripts.hang(cancelled::countDown));

        HttpResponse<java.io.InputStream> response = new Api(base).streamBundle(
                "{\"clients\":[\"" + endless + "\",\"" + hanging + "\"],\"profiles\":[\"heap\"]}");
        assertEquals(200, response.statusCode());
        try (java.io.InputStream in = response.body()) {
            assertEquals(1_000_000, in.readNBytes(1_000_000).length);
        }

        assertTrue(cancelled.await(5, TimeUnit.SECONDS), "a node kept working for a client that left");
    }

    private static java.net.URI URI(URL base) {
        return java.net.URI.create(base.toString().replaceAll("/+$", "") + "/internal/v1/bundle");
    }

    /** Answers each profile with bytes of its own, so every entry can be checked against its node and type. */
    private static TestNode.Script healthy() {
        return (request, out) -> Scripts.answer(profile(request.getClient(), request.getProfile())).profile(request, out);
    }

    /** Sends its profile a chunk at a time with pauses: slow, but always moving. */
    private static TestNode.Script slow() {
        return (request, out) -> {
            byte[] body = profile(request.getClient(), request.getProfile());
            Thread sender = new Thread(() -> {
                try {
                    for (int offset = 0; offset < body.length && !out.isCancelled(); offset += 16 * 1024) {
                        Thread.sleep(50); // pacing the node, not synchronizing
                        out.onNext(ProfileChunk.newBuilder()
                                .setData(ByteString.copyFrom(body, offset, Math.min(16 * 1024, body.length - offset))).build());
                    }
                    out.onCompleted();
                } catch (InterruptedException | RuntimeException e) {
                    out.onError(Status.ABORTED.asRuntimeException());
                }
            }, "slow-test-node");
            sender.start();
        };
    }

    static byte[] profile(String node, String profile) {
        long seed = node.hashCode() * 31L + profile.hashCode();
        byte[] bytes = new byte[150_000 + (int) Math.floorMod(seed, 300_000L)]; // above the mid-stream failure point
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
