package com.hydden.diagnostics.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** Asserts the RFC 9457 shape every error of the API has. */
public final class Problems {

    private Problems() {
    }

    /** Checks status, media type and fields; returns the problem for further checks. */
    public static JsonObject assertProblem(HttpResponse<byte[]> response, int status, String kind) {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(status, response.statusCode(), body);
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""), body);
        JsonObject problem = Json.createReader(new StringReader(body)).readObject();
        assertEquals("urn:hydden:diagnostics:problem:" + kind, problem.getString("type"), body);
        assertEquals(status, problem.getInt("status"), body);
        assertFalse(problem.getString("title").isBlank(), body);
        assertFalse(problem.getString("detail").isBlank(), body);
        assertFalse(body.contains("Exception") || body.contains("\tat ") || body.contains("com.hydden"),
                "problem leaks internals: " + body);
        assertTrue(problem.keySet().stream().allMatch(k -> k.matches("type|title|status|detail")), body);
        return problem;
    }
}
