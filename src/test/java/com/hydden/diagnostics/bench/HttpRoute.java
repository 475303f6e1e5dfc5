package com.hydden.diagnostics.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * One kind of HTTP request, answered with an expected status and read by the fastest possible reader. Every
 * HTTP route of a run (gateway, floor, nginx) shares one client, so they differ only in what answers.
 */
final class HttpRoute implements Route {

    private final String name;
    private final HttpClient http;
    private final int status;
    private final Function<String, HttpRequest> request;

    /** {@code request} builds the request for a node ID; an answer with another status than {@code status} fails. */
    HttpRoute(String name, HttpClient http, int status, Function<String, HttpRequest> request) {
        this.name = name;
        this.http = http;
        this.status = status;
        this.request = request;
    }

    /** HTTP/1.1 with keep-alive, as the portal calls the gateway. */
    static HttpClient newClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(60))
                .build();
    }

    @Override
    public String name() {
        return name;
    }

    /** Completes with the bytes of the answer's body. */
    @Override
    public CompletableFuture<Long> fetch(String client) {
        return http.sendAsync(request.apply(client), info -> HttpResponse.BodySubscribers.fromSubscriber(new Counter(),
                        counter -> counter.bytes))
                .thenApply(response -> {
                    if (response.statusCode() != status) {
                        throw new IllegalStateException(name + " answered " + response.statusCode() + " for " + client
                                + ", not " + status);
                    }
                    return response.body();
                });
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
