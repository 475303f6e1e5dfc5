package com.hydden.diagnostics.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /internal/v1/pprof} on the gateway over HTTP/1.1, as the portal calls it; and the requests on
 * the same server it is compared with: the same POST refused or for an unknown node, Payara's floor, health.
 */
final class GatewayRoute implements Route {

    /** A node ID the gateway is not configured with. */
    static final String UNKNOWN_NODE = "bench-unknown-node";

    private final HttpClient http;
    private final URI pprof;
    private final URI floor;
    private final URI health;
    private final String token;
    private final HttpRoute profiles;

    GatewayRoute(HttpClient http, URI base, String token) {
        this.http = http;
        this.pprof = base.resolve("internal/v1/pprof");
        this.floor = base.resolve(FloorWar.CONTEXT_ROOT.substring(1) + "/internal/v1/pprof");
        this.health = base.resolve("health/live");
        this.token = token;
        this.profiles = new HttpRoute("gateway", http, 200, client -> request(pprof, client, true));
    }

    @Override
    public String name() {
        return profiles.name();
    }

    @Override
    public CompletableFuture<Long> fetch(String client) {
        return profiles.fetch(client);
    }

    /** The profile request without any credential: refused by the filter, 403, before the resource runs. */
    Route refused() {
        return new HttpRoute("refused", http, 403, client -> request(pprof, client, false));
    }

    /** The whole request path short of a node call: authenticated, parsed, audited, answered 404. */
    Route unknownNode() {
        return new HttpRoute("unknown node", http, 404, client -> request(pprof, UNKNOWN_NODE, true));
    }

    /**
     * The same request, token included, to {@link FloorResource} on the same server: what Payara and JAX-RS
     * cost before any of the service's code runs.
     */
    Route floor() {
        return new HttpRoute("floor", http, 200, client -> request(floor, client, true));
    }

    /** {@code GET /health/live}: a request that runs none of the profile path. */
    Route health() {
        return new HttpRoute("health", http, 200,
                client -> HttpRequest.newBuilder(health).timeout(Duration.ofMinutes(1)).build());
    }

    /**
     * Reads the answer at {@code bytesPerSecond} at most, as a client on a slow link does; returns the bytes
     * read.
     */
    long fetchSlowly(String client, long bytesPerSecond) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(request(pprof, client, true),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("gateway answered " + response.statusCode() + " for " + client);
        }
        long read = 0;
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[16 * 1024];
            long start = System.nanoTime();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                read += n;
                long aheadMillis = read * 1000 / bytesPerSecond
                        - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                if (aheadMillis > 0) {
                    Thread.sleep(aheadMillis); // pacing the reader
                }
            }
        }
        return read;
    }

    private HttpRequest request(URI uri, String client, boolean withToken) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json");
        if (withToken) {
            request.header("Authorization", "Bearer " + token);
        }
        return request.POST(HttpRequest.BodyPublishers.ofString("{\"client\":\"" + client + "\",\"profile\":\"heap\"}"))
                .build();
    }

    @Override
    public void close() {
        profiles.close();
    }
}
