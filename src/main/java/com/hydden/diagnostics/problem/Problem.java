package com.hydden.diagnostics.problem;

import jakarta.json.spi.JsonProvider;
import jakarta.ws.rs.core.Response;

/**
 * An RFC 9457 problem body. {@code type} is a stable URN naming the kind of failure, so clients can
 * branch on it; {@code detail} is for people and never carries internals.
 */
public record Problem(String type, String title, int status, String detail) {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_PREFIX = "urn:hydden:diagnostics:problem:";
    // Json.createObjectBuilder looks the provider up on every call (a service-loader scan of the class path).
    private static final JsonProvider JSON = JsonProvider.provider();

    public static Problem of(Response.Status status, String kind, String detail) {
        return new Problem(TYPE_PREFIX + kind, status.getReasonPhrase(), status.getStatusCode(), detail);
    }

    public static Problem of(int status, String title, String kind, String detail) {
        return new Problem(TYPE_PREFIX + kind, title, status, detail);
    }

    public ProblemException exception() {
        return new ProblemException(this);
    }

    public String toJson() {
        return JSON.createObjectBuilder()
                .add("type", type)
                .add("title", title)
                .add("status", status)
                .add("detail", detail)
                .build()
                .toString();
    }

    public Response.ResponseBuilder response() {
        return Response.status(status)
                .type(MEDIA_TYPE)
                .header("X-Content-Type-Options", "nosniff")
                .header("Cache-Control", "no-store")
                .entity(toJson());
    }
}
