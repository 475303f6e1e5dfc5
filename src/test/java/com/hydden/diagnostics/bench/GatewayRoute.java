package com.hydden.diagnostics.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/** {@code POST /internal/v1/pprof} on the gateway over HTTP/1.1, as the portal calls it. */
final class GatewayRoute implements Route {

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(60))
            .build();
    private final URI pprof;
    private final URI health;
    private final String token;

    GatewayRoute(URI base, String token) {
        this.pprof = base.resolve("internal/v1/pprof");
        this.health = base.resolve("health/live");
        this.token = token;
    }

    /** {@code GET /health/live}: the server's own floor, a request that runs none of the service's code. */
    int health() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(health).timeout(Duration.ofMinutes(1)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The whole request path short of a node call: authenticated, parsed, audited, answered 404. */
    int unknownNode() throws IOException, InterruptedException {
        return http.send(request("bench-unknown-node"), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Override
    public String name() {
        return "gateway";
    }

    @Override
    public CompletableFuture<Long> fetch(String client) {
        return http.sendAsync(request(client), info -> HttpResponse.BodySubscribers.fromSubscriber(new Counter(),
                        counter -> counter.bytes))
                .thenApply(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("gateway answered " + response.statusCode() + " for " + client);
                    }
                    return response.body();
                });
    }

    /**
     * Reads the answer at {@code bytesPerSecond} at most, as a client on a slow link does; returns the bytes
     * read.
     */
    long fetchSlowly(String client, long bytesPerSecond) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(request(client), HttpResponse.BodyHandlers.ofInputStream());
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

    private HttpRequest request(String client) {
        return HttpRequest.newBuilder(pprof)
                .timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"client\":\"" + client + "\",\"profile\":\"heap\"}"))
                .build();
    }

    @Override
    public void close() {
        // HttpClient has no close on Java 17; its connections end with the JVM.
    }

    /** Takes every byte as soon as it arrives and counts it: the fastest possible reader. */
    private static final class Counter implements Flow.Subscriber<List<ByteBuffer>> {
        long bytes;

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                bytes += buffer.remaining();
            }
        }

        @Override
        public void onError(Throwable failure) {
            // the response future fails with it
        }

        @Override
        public void onComplete() {
            // the finisher reads the count
        }
    }
}
