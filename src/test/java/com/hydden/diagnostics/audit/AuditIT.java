package com.hydden.diagnostics.audit;

import static com.hydden.diagnostics.testing.Api.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.LogCapture;
import com.hydden.diagnostics.testing.Scripts;
import com.hydden.diagnostics.testing.TestCredentials;
import io.grpc.Status;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URL;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** One audit line per pprof request, however the request ends, with what happened and no credential. */
@ExtendWith(ArquillianExtension.class)
class AuditIT {

    static final Set<String> LOOPBACK = Set.of("127.0.0.1", "0:0:0:0:0:0:0:1", "::1");

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war();
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
    void noCredentialInAnyLog() {
        try {
            assertEquals(List.of(), logs.linesContaining(TestCredentials.DEFAULT_API_TOKEN));
            assertEquals(List.of(), logs.linesContaining("Bearer"));
        } finally {
            logs.close();
        }
    }

    @Test
    void streamedProfile_isAuditedAfterItsLastByte_withSizeAndDigest() throws Exception {
        byte[] profile = random(700_000, 7);
        String node = Deployments.node(Scripts.answer(profile));
        Instant before = Instant.now();

        HttpResponse<byte[]> response = api.profile("{\"client\":\"" + node + "\",\"profile\":\"cpu\",\"seconds\":2}");

        assertEquals(200, response.statusCode());
        JsonObject audit = audit(response);
        assertEquals(response.headers().firstValue("X-Request-Id").orElseThrow(), audit.getString("requestId"));
        assertTrue(!Instant.parse(audit.getString("time")).isBefore(before.minusSeconds(1)), audit::toString);
        assertEquals("POST", audit.getString("method"));
        assertEquals("ci", audit.getString("caller"));
        assertEquals("api-token", audit.getString("scheme"));
        assertTrue(LOOPBACK.contains(audit.getString("clientIp")), audit::toString);
        assertEquals(node, audit.getString("node"));
        assertEquals("grid.client", audit.getString("module"));
        assertEquals("cpu", audit.getString("profile"));
        assertEquals(2, audit.getInt("seconds"));
        assertEquals(200, audit.getInt("status"));
        assertEquals(profile.length, audit.getJsonNumber("bytes").longValue());
        assertEquals(sha256(profile), audit.getString("sha256"));
        assertTrue(audit.getJsonNumber("durationMs").longValue() >= 0);
        assertEquals("complete", audit.getString("outcome"));
    }

    @Test
    void refusedRequest_isAudited() throws Exception {
        HttpResponse<byte[]> response = api.send(api.anonymous(body("node-0", "heap")).build());

        assertEquals(403, response.statusCode());
        JsonObject audit = audit(response);
        assertEquals(403, audit.getInt("status"));
        assertTrue(audit.isNull("caller"));
        assertTrue(audit.isNull("scheme"));
        assertTrue(audit.isNull("node"), "a refused body is never read");
        assertTrue(audit.isNull("sha256"));
        assertEquals(response.body().length, audit.getJsonNumber("bytes").longValue());
        assertEquals("complete", audit.getString("outcome"));
    }

    @Test
    void nodeFailureBeforeTheFirstByte_isAuditedWithItsStatus() throws Exception {
        String node = Deployments.node(Scripts.fail(Status.INTERNAL));

        HttpResponse<byte[]> response = api.profile(body(node, "goroutine"));

        assertEquals(500, response.statusCode());
        JsonObject audit = audit(response);
        assertEquals(500, audit.getInt("status"));
        assertEquals(node, audit.getString("node"));
        assertEquals("goroutine", audit.getString("profile"));
        assertTrue(audit.isNull("sha256"));
    }

    @Test
    void invalidRequest_isAudited() throws Exception {
        HttpResponse<byte[]> response = api.profile("{\"client\":\"node-0\"}");

        assertEquals(400, response.statusCode());
        JsonObject audit = audit(response);
        assertEquals(400, audit.getInt("status"));
        assertEquals("ci", audit.getString("caller"));
    }

    @Test
    void nodeFailsMidStream_isAuditedAsAborted() throws Exception {
        byte[] profile = random(1_000_000, 8);
        String node = Deployments.node(Scripts.failAfter(profile, 300_000, Status.INTERNAL));

        HttpResponse<InputStream> response = api.stream(body(node, "heap"));
        try (InputStream in = response.body()) {
            in.readAllBytes();
        } catch (IOException expected) {
            // the transfer is cut; PprofIT checks that
        }

        JsonObject audit = audit(response);
        assertEquals(200, audit.getInt("status"));
        assertEquals("aborted", audit.getString("outcome"));
        assertTrue(audit.getJsonNumber("bytes").longValue() <= 300_000, audit::toString);
    }

    @Test
    void clientDisconnectsMidStream_isAudited() throws Exception {
        byte[] profile = random(64 * 1024 * 1024, 9);
        String node = Deployments.node(Scripts.answer(profile));

        HttpResponse<InputStream> response = api.stream(body(node, "heap"));
        assertEquals(200, response.statusCode());
        try (InputStream in = response.body()) {
            in.readNBytes(100_000);
        }

        JsonObject audit = audit(response);
        assertEquals(200, audit.getInt("status"));
        assertEquals("client-disconnected", audit.getString("outcome"), audit::toString);
        assertTrue(audit.getJsonNumber("bytes").longValue() < profile.length, audit::toString);
    }

    JsonObject audit(HttpResponse<?> response) throws InterruptedException {
        String id = response.headers().firstValue("X-Request-Id").orElseThrow(() -> new AssertionError("no X-Request-Id"));
        return Json.createReader(new StringReader(logs.auditLine(id))).readObject();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
