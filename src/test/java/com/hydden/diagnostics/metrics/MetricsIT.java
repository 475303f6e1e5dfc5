package com.hydden.diagnostics.metrics;

import static com.hydden.diagnostics.testing.Api.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.Scripts;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The server's /metrics, in Prometheus text, moves with the requests; no credential needed to scrape it. */
@ExtendWith(ArquillianExtension.class)
class MetricsIT {

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war();
    }

    @ArquillianResource
    URL base;

    @Test
    void profileRequest_movesTheRequestAndBytesCounters_andTheTimer() throws Exception {
        byte[] profile = new byte[123_457];
        String node = Deployments.node(Scripts.answer(profile));
        String metrics = scrape();
        double requests = value(metrics, "diagnostics_pprof_requests_total",
                Map.of("profile", "goroutine", "status", "200", "outcome", "complete"));
        double bytes = value(metrics, "diagnostics_pprof_streamed_bytes_total", Map.of("profile", "goroutine"));
        double timed = value(metrics, "diagnostics_pprof_duration_seconds_count", Map.of("profile", "goroutine"));
        double seconds = value(metrics, "diagnostics_pprof_duration_seconds_sum", Map.of("profile", "goroutine"));

        assertEquals(200, new Api(base).profile(body(node, "goroutine")).statusCode());

        String after = awaitChange(metrics, "diagnostics_pprof_requests_total",
                Map.of("profile", "goroutine", "status", "200", "outcome", "complete"), requests);
        assertEquals(requests + 1, value(after, "diagnostics_pprof_requests_total",
                Map.of("profile", "goroutine", "status", "200", "outcome", "complete")), after);
        assertEquals(bytes + profile.length, value(after, "diagnostics_pprof_streamed_bytes_total",
                Map.of("profile", "goroutine")), after);
        assertEquals(timed + 1, value(after, "diagnostics_pprof_duration_seconds_count", Map.of("profile", "goroutine")),
                after);
        double took = value(after, "diagnostics_pprof_duration_seconds_sum", Map.of("profile", "goroutine")) - seconds;
        assertTrue(took > 0 && took < 30, "the request took " + took + " s, in seconds: " + after);
    }

    @Test
    void bundle_movesTheBundleAndItemCounters_notThePprofOnes() throws Exception {
        String healthy = Deployments.node(Scripts.answer(new byte[54_321]));
        String failing = Deployments.node(Scripts.fail(io.grpc.Status.INTERNAL));
        Map<String, String> complete = Map.of("status", "200", "outcome", "complete");
        Map<String, String> heapOk = Map.of("profile", "heap", "status", "200", "outcome", "complete");
        Map<String, String> heapFailed = Map.of("profile", "heap", "status", "500", "outcome", "complete");
        Map<String, String> statsOk = Map.of("profile", "stats", "status", "200", "outcome", "complete");
        String metrics = scrape();
        double bundles = value(metrics, "diagnostics_bundle_requests_total", complete);
        double bytes = value(metrics, "diagnostics_bundle_streamed_bytes_total", Map.of());
        double pprof = value(metrics, "diagnostics_pprof_requests_total", Map.of());

        HttpResponse<byte[]> response = new Api(base).bundle("{\"clients\":[\"" + healthy + "\",\"" + failing
                + "\"],\"profiles\":[\"heap\"]}");
        assertEquals(200, response.statusCode());

        String after = awaitChange(metrics, "diagnostics_bundle_requests_total", complete, bundles);
        assertEquals(bundles + 1, value(after, "diagnostics_bundle_requests_total", complete), after);
        assertEquals(bytes + response.body().length, value(after, "diagnostics_bundle_streamed_bytes_total", Map.of()),
                after);
        assertEquals(value(metrics, "diagnostics_bundle_items_total", heapOk) + 1,
                value(after, "diagnostics_bundle_items_total", heapOk), after);
        assertEquals(value(metrics, "diagnostics_bundle_items_total", heapFailed) + 1,
                value(after, "diagnostics_bundle_items_total", heapFailed), after);
        assertEquals(value(metrics, "diagnostics_bundle_items_total", statsOk) + 2,
                value(after, "diagnostics_bundle_items_total", statsOk), after);
        assertTrue(has(after, "diagnostics_bundle_duration_seconds_count", Map.of()), after);
        assertEquals(pprof, value(after, "diagnostics_pprof_requests_total", Map.of()), "a bundle counted as pprof");
    }

    @Test
    void refusedRequest_movesTheAuthFailureCounter_byReason() throws Exception {
        Map<String, String> noCredential = Map.of("reason", "no-credential");
        Map<String, String> refused = Map.of("profile", "none", "status", "403", "outcome", "complete");
        String metrics = scrape();
        double failures = value(metrics, "diagnostics_auth_failures_total", noCredential);
        double requests = value(metrics, "diagnostics_pprof_requests_total", refused);

        HttpResponse<byte[]> response = new Api(base).send(new Api(base).anonymous(body("node-0", "heap")).build());

        assertEquals(403, response.statusCode());
        String after = awaitChange(metrics, "diagnostics_pprof_requests_total", refused, requests);
        assertEquals(failures + 1, value(after, "diagnostics_auth_failures_total", noCredential), after);
        assertEquals(requests + 1, value(after, "diagnostics_pprof_requests_total", refused), after);
        // every reason is there from the start, so a rate over the first refusal is not a gap
        for (String reason : new String[]{"no-credential", "not-bearer", "invalid-jwt", "invalid-api-token",
                "foreign-origin", "missing-role"}) {
            assertTrue(has(after, "diagnostics_auth_failures_total", Map.of("reason", reason)), reason + "\n" + after);
        }
    }

    @Test
    void gauges_reportInFlightRequestsAndOpenChannels() throws Exception {
        String node = Deployments.node(Scripts.answer(new byte[1000]));
        assertEquals(200, new Api(base).profile(body(node, "heap")).statusCode());

        String metrics = scrape();

        assertTrue(has(metrics, "diagnostics_pprof_in_flight", Map.of()), metrics);
        assertTrue(value(metrics, "diagnostics_pprof_in_flight", Map.of()) >= 0, metrics);
        // the channel to the test node stays open until it has been idle for diagnostics.grid.idle-timeout
        assertTrue(value(metrics, "diagnostics_grid_channels", Map.of()) >= 1, metrics);
    }

    /** The request is counted after its last byte went out, which the client may see first: wait a little. */
    private String awaitChange(String before, String name, Map<String, String> labels, double was) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String now = scrape();
        while (value(now, name, labels) == was && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling a counter, bounded by the deadline
            now = scrape();
        }
        return now;
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        return response.body();
    }

    /** The sum of the samples of {@code name} whose labels include {@code labels}; 0 when there is none yet. */
    static double value(String text, String name, Map<String, String> labels) {
        return samples(text, name, labels).values().stream().mapToDouble(Double::doubleValue).sum();
    }

    static boolean has(String text, String name, Map<String, String> labels) {
        return !samples(text, name, labels).isEmpty();
    }

    private static Map<String, Double> samples(String text, String name, Map<String, String> labels) {
        Map<String, Double> found = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line.strip());
            if (line.startsWith("#") || !m.matches() || !m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> present = new HashMap<>();
            Matcher l = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
            while (l.find()) {
                present.put(l.group(1), l.group(2));
            }
            if (present.entrySet().containsAll(labels.entrySet())) {
                found.put(line, Double.parseDouble(m.group(3)));
            }
        }
        return found;
    }
}
