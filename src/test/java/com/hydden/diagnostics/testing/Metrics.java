package com.hydden.diagnostics.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.DoublePredicate;

/** Reads one unlabelled gauge of the server's /metrics (Prometheus text), for tests that wait for a state. */
public final class Metrics {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Metrics() {
    }

    public static double gauge(URI base, String name) throws IOException, InterruptedException {
        String root = base.toString().replaceAll("/+$", "");
        String text = HTTP.send(HttpRequest.newBuilder(URI.create(root + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** Polls the gauge until it satisfies {@code wanted}, at most {@code timeout}; fails naming what it saw. */
    public static void await(URI base, String name, DoublePredicate wanted, String what, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        double seen = gauge(base, name);
        while (!wanted.test(seen)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": " + name + " was " + seen + " after " + timeout);
            }
            Thread.sleep(20); // polling a gauge, bounded by the deadline
            seen = gauge(base, name);
        }
    }

    public static void await(URL base, String name, DoublePredicate wanted, String what)
            throws IOException, InterruptedException {
        try {
            await(base.toURI(), name, wanted, what, Duration.ofSeconds(20));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
