package com.hydden.diagnostics.pprof;

import static com.hydden.diagnostics.testing.Api.body;
import static com.hydden.diagnostics.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.Scripts;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bodies built to hurt: every one is a 400, none reaches a node, and the service is fine afterwards. */
@ExtendWith(ArquillianExtension.class)
class HostileInputIT {

    private static final long SEED = 20261129L;
    private static final int BODIES = 3000;

    /** Node IDs that try to reach somewhere else through an address. */
    private static final List<String> STEERING_IDS = List.of("evil.example:80", "a/../b", "x@y", "%2e%2e",
            "a b", " node-1", "node-1 ", "node-1\\n", "node-1\\u0000", "\\u0430dmin", "n\\u0456de", "[::1]",
            "127.0.0.1:22", "node-1#x", "node-1?x", "node-1\\\\x", "", "a".repeat(129));

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war();
    }

    @ArquillianResource
    URL base;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17})
    void nodeIdThatTriesToSteerTheConnection_is400(int which) throws Exception {
        long callsBefore = Deployments.NODE.profileCalls();
        assertProblem(new Api(base).profile(body(STEERING_IDS.get(which), "heap")), 400, "invalid-request");
        assertEquals(callsBefore, Deployments.NODE.profileCalls());
    }

    @Test
    void bodyOverTheSizeLimit_is400() throws Exception {
        String big = "{\"client\":\"n\",\"profile\":\"heap\",\"pad\":\"" + "x".repeat(70_000) + "\"}";
        assertProblem(new Api(base).profile(big), 400, "invalid-request");
    }

    @Test
    void thousandsOfSeededRandomHostileBodies_allRefused_noneReachesANode_serviceStaysHealthy() throws Exception {
        Api api = new Api(base);
        Random random = new Random(SEED);
        long callsBefore = Deployments.NODE.profileCalls();
        for (int i = 0; i < BODIES; i++) {
            byte[] body = hostileBody(random);
            HttpResponse<byte[]> response = api.send(api.post("")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
            int status = response.statusCode();
            if (status != 400) {
                throw new AssertionError("body #" + i + " (seed " + SEED + ") got " + status + ": "
                        + new String(body, StandardCharsets.UTF_8) + " -> " + new String(response.body()));
            }
        }
        assertEquals(callsBefore, Deployments.NODE.profileCalls(), "a hostile body reached a node");

        byte[] profile = PprofIT.random(100_000, 11);
        String node = Deployments.node(Scripts.answer(profile));
        HttpResponse<byte[]> healthy = api.profile(body(node, "heap"));
        assertEquals(200, healthy.statusCode());
        assertArrayEquals(profile, healthy.body());
    }

    /** One body from a grammar of things that must all be refused. */
    private static byte[] hostileBody(Random random) {
        String valid = "{\"client\":\"node-1\",\"profile\":\"heap\"}";
        return switch (random.nextInt(12)) {
            case 0 -> randomBytes(random, random.nextInt(200));
            case 1 -> valid.substring(0, random.nextInt(valid.length())).getBytes(StandardCharsets.UTF_8);
            case 2 -> ("{\"x\":" + "[".repeat(1 + random.nextInt(5000)) + "]").getBytes(StandardCharsets.UTF_8);
            case 3 -> ("{\"client\":\"node-1\",\"profile\":\"cpu\",\"seconds\":" + hugeNumber(random) + "}")
                    .getBytes(StandardCharsets.UTF_8);
            case 4 -> ("{\"client\":" + wrongValue(random) + ",\"profile\":\"heap\"}").getBytes(StandardCharsets.UTF_8);
            case 5 -> ("{\"client\":\"node-1\",\"profile\":" + wrongValue(random) + "}").getBytes(StandardCharsets.UTF_8);
            case 6 -> ("{\"client\":\"node-1\",\"client\":\"node-2\",\"profile\":\"heap\"}").getBytes(StandardCharsets.UTF_8);
            case 7 -> ("{\"client\":\"" + STEERING_IDS.get(random.nextInt(STEERING_IDS.size()))
                    + "\",\"profile\":\"heap\"}").getBytes(StandardCharsets.UTF_8);
            case 8 -> invalidUtf8(random);
            case 9 -> ("{\"client\":\"node-1\",\"module\":\"" + STEERING_IDS.get(random.nextInt(STEERING_IDS.size()))
                    + "\",\"profile\":\"heap\"}").getBytes(StandardCharsets.UTF_8);
            case 10 -> ("{\"client\":\"node-1\",\"profile\":\"" + randomWord(random) + "\"}").getBytes(StandardCharsets.UTF_8);
            // a delta's seconds out of range: 0 or less, or beyond max-seconds (300)
            default -> ("{\"client\":\"node-1\",\"profile\":\"heap\",\"seconds\":"
                    + (random.nextBoolean() ? -random.nextInt(1000) : 301 + random.nextInt(1000)) + "}")
                    .getBytes(StandardCharsets.UTF_8);
        };
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        if (n > 0 && bytes[0] == '{') {
            bytes[0] = '[';
        }
        return bytes;
    }

    private static String hugeNumber(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> "9".repeat(1 + random.nextInt(5000));
            case 1 -> "1e" + random.nextInt(100_000);
            case 2 -> "-" + "9".repeat(1 + random.nextInt(50));
            default -> "0." + "0".repeat(random.nextInt(100)) + "1";
        };
    }

    private static String wrongValue(Random random) {
        String[] values = {"1", "true", "null", "[]", "{}", "[\"node-1\"]", "{\"id\":\"node-1\"}", "1.5", "-0"};
        return values[random.nextInt(values.length)];
    }

    private static byte[] invalidUtf8(Random random) {
        byte[][] bad = {{(byte) 0xC3, (byte) 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xF0, (byte) 0x28, (byte) 0x8C, (byte) 0x28}, {(byte) 0xC0, (byte) 0xAF}};
        byte[] prefix = "{\"client\":\"node-".getBytes(StandardCharsets.UTF_8);
        byte[] suffix = "\",\"profile\":\"heap\"}".getBytes(StandardCharsets.UTF_8);
        byte[] middle = bad[random.nextInt(bad.length)];
        byte[] body = new byte[prefix.length + middle.length + suffix.length];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        System.arraycopy(middle, 0, body, prefix.length, middle.length);
        System.arraycopy(suffix, 0, body, prefix.length + middle.length, suffix.length);
        return body;
    }

    private static String randomWord(Random random) {
        String[] words = {"CPU", "Heap", "trace", "profile", "cpu ", " heap", "heap\\u0000", "goroutines", ""};
        return words[random.nextInt(words.length)];
    }
}
