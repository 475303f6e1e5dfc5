package com.hydden.diagnostics.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls the deployed API over real HTTP, as the portal does. */
public final class Api {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private final URI pprof;
    private final URI bundle;
    private final HttpClient http;

    public Api(URL base) {
        this(base, HTTP);
    }

    /**
     * An Api with connections of its own, none kept alive from another test: a pooled connection the server
     * closes as idle just as it is reused ends a POST with no answer, which the client does not retry.
     */
    public static Api withOwnConnections(URL base) {
        return new Api(base, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build());
    }

    private Api(URL base, HttpClient http) {
        this.http = http;
        this.pprof = URI.create(base.toString().replaceAll("/+$", "") + "/internal/v1/pprof");
        this.bundle = URI.create(base.toString().replaceAll("/+$", "") + "/internal/v1/bundle");
    }

    public URI pprofUri() {
        return pprof;
    }

    /** Any request to the endpoint, with the default credential; the test sets method, body and headers. */
    public HttpRequest.Builder request() {
        return HttpRequest.newBuilder(pprof)
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + TestCredentials.DEFAULT_API_TOKEN);
    }

    /** A POST with the default credential (an API token holding the role); {@code setHeader} replaces it. */
    public HttpRequest.Builder post(String json) {
        return anonymous(json).header("Authorization", "Bearer " + TestCredentials.DEFAULT_API_TOKEN);
    }

    /** A POST without any credential. */
    public HttpRequest.Builder anonymous(String json) {
        return HttpRequest.newBuilder(pprof)
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    public HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    public HttpResponse<byte[]> profile(String json) throws IOException, InterruptedException {
        return send(post(json).build());
    }

    public HttpResponse<InputStream> stream(String json) throws IOException, InterruptedException {
        return http.send(post(json).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    /** A bundle POST with the default credential. */
    public HttpRequest.Builder postBundle(String json) {
        return HttpRequest.newBuilder(bundle)
                .timeout(Duration.ofSeconds(300))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TestCredentials.DEFAULT_API_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    public HttpResponse<byte[]> bundle(String json) throws IOException, InterruptedException {
        return send(postBundle(json).build());
    }

    public HttpResponse<InputStream> streamBundle(String json) throws IOException, InterruptedException {
        return http.send(postBundle(json).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    public static String body(String client, String profile) {
        return "{\"client\":\"" + client + "\",\"profile\":\"" + profile + "\"}";
    }
}
