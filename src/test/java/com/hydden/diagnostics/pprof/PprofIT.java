package com.hydden.diagnostics.pprof;

import static com.hydden.diagnostics.testing.Api.body;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.grid.api.ProfileRequest;
import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.Scripts;
import java.io.InputStream;
import java.net.URL;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The success path: what the node sends is what the client gets, streamed, with the contract's headers. */
@ExtendWith(ArquillianExtension.class)
class PprofIT {

    private static final Pattern FILENAME =
            Pattern.compile("attachment; filename=hydden-([a-z]+)-(\\d{8}T\\d{6}Z)\\.out");

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war();
    }

    @ArquillianResource
    URL base;

    @ParameterizedTest
    @EnumSource(ProfileType.class)
    void everyProfileType_arrivesByteForByte(ProfileType type) throws Exception {
        byte[] profile = random(150_000 + type.ordinal(), type.ordinal());
        String node = Deployments.node(Scripts.answer(profile));

        HttpResponse<byte[]> response = new Api(base).profile(body(node, type.wireName()));

        assertEquals(200, response.statusCode());
        assertArrayEquals(profile, response.body());
        ProfileRequest asked = Deployments.NODE.nextRequest(node);
        assertEquals(node, asked.getClient());
        assertEquals("grid.client", asked.getModule());
        assertEquals(type.wireName(), asked.getProfile());
        assertEquals(type == ProfileType.CPU ? 30 : 0, asked.getSeconds());
    }

    @Test
    void moduleAndCpuSeconds_arePassedToTheNode() throws Exception {
        String node = Deployments.node(Scripts.answer(random(10, 3)));

        HttpResponse<byte[]> response = new Api(base).profile(
                "{\"client\":\"" + node + "\",\"module\":\"grid.agent\",\"profile\":\"cpu\",\"seconds\":7,\"note\":\"x\"}");

        assertEquals(200, response.statusCode());
        ProfileRequest asked = Deployments.NODE.nextRequest(node);
        assertEquals("grid.agent", asked.getModule());
        assertEquals(7, asked.getSeconds());
    }

    @Test
    void headers_followTheContract() throws Exception {
        String node = Deployments.node(Scripts.answer(random(1000, 4)));
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        HttpResponse<byte[]> response = new Api(base).profile(body(node, "goroutine"));

        Instant after = Instant.now();
        assertEquals(200, response.statusCode());
        assertEquals("application/octet-stream", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertTrue(response.headers().firstValue("Content-Encoding").isEmpty());
        String disposition = response.headers().firstValue("Content-Disposition").orElse("");
        Matcher m = FILENAME.matcher(disposition);
        assertTrue(m.matches(), disposition);
        assertEquals("goroutine", m.group(1));
        Instant stamped = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssX").parse(m.group(2), Instant::from);
        assertFalse(stamped.isBefore(before) || stamped.isAfter(after), stamped + " not within the request");
    }

    @Test
    void profileOf64MiB_arrivesIdentical() throws Exception {
        byte[] profile = random(64 << 20, 5);
        String node = Deployments.node(Scripts.answer(profile));

        HttpResponse<InputStream> response = new Api(base).stream(body(node, "heap"));

        assertEquals(200, response.statusCode());
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long size = 0;
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; size += n) {
                digest.update(buffer, 0, n);
            }
        }
        assertEquals(profile.length, size);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(profile), digest.digest());
    }

    @Test
    void firstBytes_reachTheClientBeforeTheNodeSendsTheLast() throws Exception {
        byte[] profile = random(4 << 20, 6);
        CountDownLatch clientHasFirstBytes = new CountDownLatch(1);
        String node = Deployments.node((request, out) -> Scripts.sendThenAwait(out, profile, 256 * 1024, clientHasFirstBytes));

        HttpResponse<InputStream> response = new Api(base).stream(body(node, "heap"));

        assertEquals(200, response.statusCode());
        try (InputStream in = response.body()) {
            byte[] first = in.readNBytes(1000);
            assertArrayEquals(java.util.Arrays.copyOf(profile, 1000), first);
            clientHasFirstBytes.countDown();
            byte[] rest = in.readAllBytes();
            assertEquals(profile.length - 1000, rest.length);
        }
    }

    @Test
    void twentyConcurrentRequests_eachGetTheirOwnProfile() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(20);
        try {
            List<byte[]> profiles = new ArrayList<>();
            List<Future<HttpResponse<byte[]>>> responses = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                byte[] profile = random(300_000 + i, 100 + i);
                profiles.add(profile);
                String node = Deployments.node(Scripts.answer(profile));
                responses.add(clients.submit(() -> new Api(base).profile(body(node, "allocs"))));
            }
            for (int i = 0; i < 20; i++) {
                HttpResponse<byte[]> response = responses.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(200, response.statusCode());
                assertArrayEquals(profiles.get(i), response.body(), "request " + i);
            }
        } finally {
            clients.shutdownNow();
        }
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
