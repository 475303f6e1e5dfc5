package com.hydden.diagnostics.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.Deployments;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The server's /openapi describes the endpoint as the code implements it, without a credential. */
@ExtendWith(ArquillianExtension.class)
class OpenApiIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war();
    }

    @ArquillianResource
    URL base;

    JsonObject document;

    @BeforeEach
    void fetch() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "openapi"))
                .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        document = Json.createReader(new StringReader(response.body())).readObject();
    }

    @Test
    void requestSchema_hasTheConstraintsTheParserEnforces() throws Exception {
        JsonObject post = document.getJsonObject("paths").getJsonObject("/internal/v1/pprof").getJsonObject("post");
        assertEquals(Set.of("post"), document.getJsonObject("paths").getJsonObject("/internal/v1/pprof").keySet());
        assertEquals("#/components/schemas/PprofRequest", post.getJsonObject("requestBody").getJsonObject("content")
                .getJsonObject("application/json").getJsonObject("schema").getString("$ref"));

        JsonObject schema = schema("PprofRequest");
        assertEquals(List.of("client", "profile"), strings(schema, "required"));
        JsonObject fields = schema.getJsonObject("properties");
        for (String id : List.of("client", "module")) {
            assertEquals(1, fields.getJsonObject(id).getInt("minLength"));
            assertEquals(128, fields.getJsonObject(id).getInt("maxLength"));
            assertEquals("^[A-Za-z0-9._-]{1,128}$", fields.getJsonObject(id).getString("pattern"));
        }
        assertEquals(PprofRequest.DEFAULT_MODULE, fields.getJsonObject("module").getString("default"));
        assertEquals(Arrays.stream(ProfileType.values()).map(ProfileType::wireName).toList(),
                strings(fields.getJsonObject("profile"), "enum"));
        JsonObject seconds = fields.getJsonObject("seconds");
        assertEquals(1, seconds.getInt("minimum"));
        assertEquals(Integer.parseInt(defaults().getProperty("diagnostics.pprof.max-seconds")), seconds.getInt("maximum"));
        assertEquals(PprofRequest.DEFAULT_CPU_SECONDS, seconds.getInt("default"));
    }

    @Test
    void everyResponse_isDescribed_errorsAsProblems_withRetryAfterWhereItApplies() {
        JsonObject responses = document.getJsonObject("paths").getJsonObject("/internal/v1/pprof")
                .getJsonObject("post").getJsonObject("responses");
        assertEquals(Set.of("200", "400", "403", "404", "405", "409", "415", "429", "500", "503"), responses.keySet());

        JsonObject ok = responses.getJsonObject("200");
        assertTrue(ok.getJsonObject("content").containsKey("application/octet-stream"), ok.toString());
        assertTrue(ok.getJsonObject("headers").keySet().containsAll(
                Set.of("Content-Disposition", "X-Content-Type-Options", "X-Request-Id", "X-Profile-Window",
                        "X-Grid-Node", "X-Grid-Node-Version", "X-Grid-Component", "X-Grid-Go-Version",
                        "X-Grid-Go-Arch")), ok.toString());
        for (String status : responses.keySet()) {
            if (status.equals("200")) {
                continue;
            }
            JsonObject error = responses.getJsonObject(status);
            assertEquals("#/components/schemas/Problem", error.getJsonObject("content")
                    .getJsonObject("application/problem+json").getJsonObject("schema").getString("$ref"), status);
            assertEquals(status.equals("429") || status.equals("503"),
                    error.getJsonObject("headers").containsKey("Retry-After"), status);
        }
        assertEquals(List.of("type", "title", "status", "detail"), strings(schema("Problem"), "required"));
    }

    @Test
    void bundle_isDescribed_withTheLimitsTheServerApplies() {
        JsonObject post = document.getJsonObject("paths").getJsonObject("/internal/v1/bundle").getJsonObject("post");
        assertEquals(Set.of("200", "400", "403", "405", "415", "429", "500", "503"),
                post.getJsonObject("responses").keySet());
        assertTrue(post.getJsonObject("responses").getJsonObject("200").getJsonObject("content")
                .containsKey("application/zip"));
        JsonObject schema = schema("BundleRequest");
        assertEquals(List.of("clients", "profiles"), strings(schema, "required"));
        JsonObject list = schema.getJsonObject("properties").getJsonObject("clients").getJsonArray("oneOf")
                .getJsonObject(0);
        assertEquals(Integer.parseInt(defaults().getProperty("diagnostics.bundle.max-nodes")), list.getInt("maxItems"));
        assertEquals(Arrays.stream(ProfileType.values()).map(ProfileType::wireName).toList(), strings(schema
                .getJsonObject("properties").getJsonObject("profiles").getJsonObject("items"), "enum"));
        assertEquals(List.of("node", "profile", "status", "bytes", "sha256", "window", "error"),
                strings(schema("BundleItem"), "required"));
        assertEquals(List.of("bundle", "caller", "started", "ended", "request", "items"),
                strings(schema("BundleManifest"), "required"));
    }

    @Test
    void securitySchemes_areTheThreeCredentials() {
        JsonObject schemes = document.getJsonObject("components").getJsonObject("securitySchemes");
        assertEquals(Set.of("jwtBearer", "apiToken", "jwtCookie"), schemes.keySet());
        assertEquals("bearer", schemes.getJsonObject("jwtBearer").getString("scheme"));
        assertEquals("JWT", schemes.getJsonObject("jwtBearer").getString("bearerFormat"));
        assertEquals("bearer", schemes.getJsonObject("apiToken").getString("scheme"));
        assertEquals("cookie", schemes.getJsonObject("jwtCookie").getString("in"));
        assertEquals(defaults().getProperty("diagnostics.auth.jwt.cookie"),
                schemes.getJsonObject("jwtCookie").getString("name"));
        assertEquals(3, document.getJsonObject("paths").getJsonObject("/internal/v1/pprof").getJsonObject("post")
                .getJsonArray("security").size());
    }

    private JsonObject schema(String name) {
        return document.getJsonObject("components").getJsonObject("schemas").getJsonObject(name);
    }

    private static List<String> strings(JsonObject object, String key) {
        return object.getJsonArray(key).getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }

    /** The WAR's defaults, as the server reads them. */
    private static Properties defaults() {
        Properties properties = new Properties();
        try (InputStream in = OpenApiIT.class.getResourceAsStream("/META-INF/microprofile-config.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}
