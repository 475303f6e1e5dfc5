package com.hydden.diagnostics.auth;

import static com.hydden.diagnostics.testing.TestCredentials.RS256;
import static com.hydden.diagnostics.testing.TestCredentials.RSA;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.LogCapture;
import com.hydden.diagnostics.testing.Problems;
import com.hydden.diagnostics.testing.Scripts;
import com.hydden.diagnostics.testing.TestCredentials;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The permissions policy over real HTTP: callers with different roles get exactly what the policy grants, per
 * profile, node glob and seconds; an edit takes effect without restart and a broken edit changes nothing; and
 * one caller cannot hold more than its share of requests.
 */
@ExtendWith(ArquillianExtension.class)
class PermissionsIT {

    private static final String POLICY_TEXT = """
            # role      profiles               nodes               max-seconds
            oncall      heap,goroutine,cpu     stage-*,prod-eu-*   60
            sre         *                      *                   300
            automation  heap                   node-*              0
            """;
    private static final Path POLICY = policyFile();
    private static final int MAX_PER_CALLER = 2;
    private static final String[] PREFIXES = {"stage-", "prod-eu-", "prod-us-"};
    private static final int IDS_PER_PREFIX = 40;
    private static final Map<String, AtomicInteger> nextNode = new ConcurrentHashMap<>();
    private static final AtomicInteger nextCaller = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Deployment(testable = false)
    static WebArchive deployment() {
        String nodes = Deployments.NODES + "," + IntStream.range(0, IDS_PER_PREFIX).boxed()
                .flatMap(i -> Arrays.stream(PREFIXES).map(p -> p + i + "=127.0.0.1:" + Deployments.NODE.port()))
                .collect(Collectors.joining(","));
        return Deployments.war(Map.of(
                "diagnostics.auth.policy", POLICY.toString(),
                "diagnostics.pprof.max-per-caller", String.valueOf(MAX_PER_CALLER),
                "diagnostics.grid.nodes", nodes,
                // the per-caller test holds transfers open while it asks again
                "diagnostics.grid.timeout", "PT30S"));
    }

    @ArquillianResource
    URL base;

    Api api;
    LogCapture logs;

    @BeforeEach
    void setUp() {
        api = new Api(base);
        logs = LogCapture.start();
    }

    @AfterEach
    void restoreThePolicy() {
        logs.close();
        TestCredentials.replace(POLICY, POLICY_TEXT);
    }

    // --- per profile ---

    @Test
    void oncall_mayTakeGrantedProfiles_andTheAuditNamesTheGrant() throws Exception {
        String caller = jwt("oncall");

        JsonObject audit = assertAllowed(caller, node("stage-"), "goroutine", null);

        JsonObject grant = audit.getJsonObject("grant");
        assertEquals("oncall", grant.getString("role"));
        assertEquals("heap,goroutine,cpu", grant.getString("profiles"));
        assertEquals("stage-*,prod-eu-*", grant.getString("nodes"));
    }

    @Test
    void oncall_isDeniedAProfileNotGranted_andTheLogSaysWhichCheck() throws Exception {
        String node = node("stage-");

        JsonObject audit = assertDenied(jwt("oncall"), node, "mutex", null);

        assertTrue(audit.isNull("grant"), audit::toString);
        assertDeniedBecause("covers the profile mutex");
    }

    @Test
    void apiToken_withAnAutomationGrant_mayTakeOnlyItsProfile() throws Exception {
        String token = TestCredentials.addApiToken("nightly-" + nextCaller.incrementAndGet(), "automation,viewer");
        String node = Deployments.node(Scripts.answer(profile()));

        assertAllowed(token, node, "heap", null);
        assertDenied(token, node, "goroutine", null);
    }

    // --- per node glob ---

    @Test
    void oncall_mayTakeFromEveryGlobOfItsGrant_notFromOtherNodes() throws Exception {
        String caller = jwt("oncall");

        assertAllowed(caller, node("prod-eu-"), "heap", null);
        assertDenied(caller, node("prod-us-"), "heap", null);
        assertDeniedBecause("covers heap on the node prod-us-");
    }

    @Test
    void automationGlob_coversTheNodesItNames_only() throws Exception {
        String caller = jwt("automation");

        assertAllowed(caller, Deployments.node(Scripts.answer(profile())), "heap", null);
        assertDenied(caller, node("stage-"), "heap", null);
    }

    // --- per seconds ---

    @Test
    void oncallCpu_upToItsMaxSeconds_isAllowed_beyondIsDenied() throws Exception {
        String node = node("stage-");

        assertAllowed(jwt("oncall"), node, "cpu", 60);
        assertAllowed(jwt("oncall"), node, "cpu", null); // the default 30 s
        assertDenied(jwt("oncall"), node, "cpu", 61);
        assertDeniedBecause("61 seconds is more than the grants of the roles [oncall] allow for cpu");
    }

    @Test
    void severalRoles_theWidestGrantDecides() throws Exception {
        String caller = jwt("viewer", "oncall", "sre");

        JsonObject audit = assertAllowed(caller, node("prod-us-"), "cpu", 300);

        assertEquals("sre", audit.getJsonObject("grant").getString("role"));
        assertEquals("*", audit.getJsonObject("grant").getString("nodes"));
    }

    // --- deny by default ---

    @Test
    void theDefaultRole_withoutAGrant_isDeniedAtTheGate() throws Exception {
        HttpResponse<byte[]> response = api.profile(Api.body(Deployments.node(Scripts.answer(profile())), "heap"));

        Problems.assertProblem(response, 403, "permission-denied");
        assertEquals("permission denied", problem(response).getString("detail"));
        assertTrue(logs.lines().stream().anyMatch(l -> l.contains("'ci' holds none of the roles")), "no FINE reason");
    }

    // --- reload ---

    @Test
    void editedPolicy_takesEffectWithoutRestart() throws Exception {
        String node = node("prod-us-");
        String capacity = jwt("capacity");
        assertDenied(capacity, node, "cpu", 120);

        TestCredentials.replace(POLICY, POLICY_TEXT + "capacity cpu prod-us-* 120\n");

        JsonObject audit = assertAllowed(capacity, node, "cpu", 120);
        assertEquals("prod-us-*", audit.getJsonObject("grant").getString("nodes"));
        assertDenied(jwt("capacity"), node, "cpu", 121);
    }

    @Test
    void removedGrant_isDeniedWithoutRestart() throws Exception {
        String node = node("stage-");
        assertAllowed(jwt("oncall"), node, "heap", null);

        TestCredentials.replace(POLICY, POLICY_TEXT.replace("oncall ", "# oncall "));

        assertDenied(jwt("oncall"), node, "heap", null);
    }

    @Test
    void brokenEdit_keepsTheLastGoodPolicy_andReadinessNamesTheLine() throws Exception {
        String node = node("prod-us-");
        TestCredentials.replace(POLICY, POLICY_TEXT.replace("oncall      heap,goroutine,cpu     stage-*,prod-eu-*   60",
                "oncall      heap,goroutine,cpu     prod-*   sixty"));

        assertDenied(jwt("oncall"), node, "heap", null);
        assertAllowed(jwt("oncall"), node("stage-"), "heap", null);
        JsonObject data = credentialsReadiness(200);
        assertEquals("3", text(data, "policy"));
        assertTrue(text(data, "policy-problem").contains("line 2: max-seconds"), data::toString);
        assertTrue(logs.lines().stream().anyMatch(l -> l.contains("WARNING") && l.contains("line 2: max-seconds")),
                "no warning names the line");

        TestCredentials.replace(POLICY, POLICY_TEXT + "oncall heap prod-us-* 0\n");

        assertAllowed(jwt("oncall"), node, "heap", null);
        assertFalse(credentialsReadiness(200).containsKey("policy-problem"));
    }

    // --- per-caller limit ---

    @Test
    void callerBeyondItsLimit_is429CallerBusy_othersAreServed_andPlacesComeBack() throws Exception {
        byte[] body = new byte[3 * Scripts.CHUNK];
        new Random(11).nextBytes(body);
        CountDownLatch release = new CountDownLatch(1);
        String held = node("stage-");
        Deployments.NODE.script(held, (request, out) -> Scripts.sendThenAwait(out, body, Scripts.CHUNK, release));
        String caller = jwt("oncall");
        List<HttpResponse<InputStream>> holding = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_PER_CALLER; i++) {
                HttpResponse<InputStream> response = HTTP.send(request(caller, held, "heap", null),
                        HttpResponse.BodyHandlers.ofInputStream());
                holding.add(response);
                assertEquals(200, response.statusCode());
            }

            HttpResponse<byte[]> refused = api.send(request(caller, node("stage-"), "heap", null));

            Problems.assertProblem(refused, 429, "caller-busy");
            assertEquals("5", refused.headers().firstValue("Retry-After").orElse(""));
            assertAllowed(jwt("oncall"), node("stage-"), "heap", null);
        } finally {
            release.countDown();
            for (HttpResponse<InputStream> response : holding) {
                try (InputStream in = response.body()) {
                    assertArrayEquals(body, in.readAllBytes());
                }
            }
        }
        String next = node("stage-");
        HttpResponse<byte[]> admitted = awaitNot429(caller, next);
        assertEquals(200, admitted.statusCode());
    }

    // --- bundles: every item is checked ---

    @Test
    void aBundle_isRefusedWhole_whenOneItemIsNotGranted_andReachesNoNode() throws Exception {
        String caller = jwt("oncall");
        String staging = node("stage-");
        String usProd = node("prod-us-");
        long callsBefore = Deployments.NODE.profileCalls();

        HttpResponse<byte[]> refused = api.send(bundle(caller, staging, usProd, "heap"));

        Problems.assertProblem(refused, 403, "permission-denied");
        assertEquals(callsBefore, Deployments.NODE.profileCalls(), "a refused bundle reached a node");
    }

    @Test
    void aBundle_ofGrantedItems_isAnswered() throws Exception {
        String caller = jwt("oncall");

        HttpResponse<byte[]> answered = api.send(bundle(caller, node("stage-"), node("prod-eu-"), "heap"));

        assertEquals(200, answered.statusCode(), () -> new String(answered.body()));
        assertEquals("application/zip", answered.headers().firstValue("Content-Type").orElse(""));
    }

    private HttpRequest bundle(String token, String first, String second, String profile) {
        String json = "{\"clients\":[\"" + first + "\",\"" + second + "\"],\"profiles\":[\"" + profile + "\"]}";
        return api.postBundle(json).setHeader("Authorization", "Bearer " + token).build();
    }

    // --- requests and checks ---

    /** A JWT for a caller of its own (its own {@code sub}) holding {@code roles}. */
    private static String jwt(String... roles) {
        String subject = "user-" + nextCaller.incrementAndGet();
        return TestCredentials.jwt(RSA, RS256, c -> {
            c.setSubject(subject);
            c.setStringListClaim("groups", roles);
        });
    }

    /** A node ID of this test's own under {@code prefix}, answering with a profile. */
    private static String node(String prefix) {
        int n = nextNode.computeIfAbsent(prefix, p -> new AtomicInteger()).getAndIncrement();
        if (n >= IDS_PER_PREFIX) {
            throw new IllegalStateException("all node IDs under " + prefix + " are taken; raise IDS_PER_PREFIX");
        }
        String id = prefix + n;
        Deployments.NODE.script(id, Scripts.answer(profile()));
        return id;
    }

    private static byte[] profile() {
        byte[] profile = new byte[20_000];
        new Random(nextCaller.get()).nextBytes(profile);
        return profile;
    }

    private HttpRequest request(String token, String node, String profile, Integer seconds) {
        String json = "{\"client\":\"" + node + "\",\"profile\":\"" + profile + "\""
                + (seconds == null ? "" : ",\"seconds\":" + seconds) + "}";
        return api.anonymous(json).header("Authorization", "Bearer " + token).build();
    }

    private JsonObject assertAllowed(String token, String node, String profile, Integer seconds) throws Exception {
        HttpResponse<byte[]> response = api.send(request(token, node, profile, seconds));
        assertEquals(200, response.statusCode(), () -> new String(response.body()));
        assertEquals(20_000, response.body().length);
        return audit(response);
    }

    private JsonObject assertDenied(String token, String node, String profile, Integer seconds) throws Exception {
        long callsBefore = Deployments.NODE.profileCalls();
        HttpResponse<byte[]> response = api.send(request(token, node, profile, seconds));
        Problems.assertProblem(response, 403, "permission-denied");
        assertEquals("permission denied", problem(response).getString("detail"));
        assertEquals(callsBefore, Deployments.NODE.profileCalls(), "a denied request reached a node");
        return audit(response);
    }

    private void assertDeniedBecause(String reason) {
        assertTrue(logs.lines().stream().anyMatch(l -> l.contains("FINE") && l.contains("permission denied to ")
                && l.contains(reason)), "no FINE line says: " + reason);
    }

    private HttpResponse<byte[]> awaitNot429(String token, String node) throws Exception {
        // places are given back when the node's call closes, a moment after the client read the last byte
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        HttpResponse<byte[]> response;
        do {
            response = api.send(request(token, node, "heap", null));
        } while (response.statusCode() == 429 && System.nanoTime() < deadline);
        return response;
    }

    private JsonObject audit(HttpResponse<?> response) throws InterruptedException {
        String id = response.headers().firstValue("X-Request-Id").orElseThrow(() -> new AssertionError("no X-Request-Id"));
        return Json.createReader(new StringReader(logs.auditLine(id))).readObject();
    }

    private static JsonObject problem(HttpResponse<byte[]> response) {
        return Json.createReader(new StringReader(new String(response.body()))).readObject();
    }

    private JsonObject credentialsReadiness(int status) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(status, response.statusCode(), response.body());
        JsonObject health = Json.createReader(new StringReader(response.body())).readObject();
        return health.getJsonArray("checks").stream()
                .map(JsonObject.class::cast)
                .filter(c -> c.getString("name").equals("diagnostics-credentials"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no credentials check in " + health))
                .getJsonObject("data");
    }

    private static String text(JsonObject data, String key) {
        JsonValue value = data.get(key);
        assertTrue(value != null, key + " missing from " + data);
        return value instanceof JsonString s ? s.getString() : value.toString();
    }

    private static Path policyFile() {
        try {
            Path dir = Files.createTempDirectory("diagnostics-policy-");
            dir.toFile().deleteOnExit();
            Path policy = dir.resolve("policy");
            TestCredentials.replace(policy, POLICY_TEXT);
            return policy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
