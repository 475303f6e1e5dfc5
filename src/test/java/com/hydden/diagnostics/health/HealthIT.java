package com.hydden.diagnostics.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.TestCredentials;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The server's /health/ready and /health/live report this application's checks, without a credential. */
@ExtendWith(ArquillianExtension.class)
class HealthIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war();
    }

    @ArquillianResource
    URL base;

    @Test
    void ready_withValidConfiguration_isUp_withWhatIsLoaded() throws Exception {
        JsonObject health = get("health/ready", 200);

        assertEquals("UP", health.getString("status"), health.toString());
        JsonObject credentials = check(health, CredentialsReadiness.NAME);
        assertEquals("UP", credentials.getString("status"));
        JsonObject data = credentials.getJsonObject("data");
        // read when this deployment started; other tests may have added keys and tokens to the files before
        assertEquals(String.valueOf(TestCredentials.publishedKeys()), text(data, "jwt-keys"), data.toString());
        assertEquals(String.valueOf(TestCredentials.apiTokens()), text(data, "api-tokens"), data.toString());
        assertFalse(data.containsKey("problem"), data.toString());
        assertFalse(data.toString().contains(TestCredentials.DEFAULT_API_TOKEN));
        assertFalse(data.toString().contains(TestCredentials.sha256Hex(TestCredentials.DEFAULT_API_TOKEN)));

        JsonObject nodes = check(health, NodesReadiness.NAME);
        assertEquals("UP", nodes.getString("status"));
        assertEquals(String.valueOf(Deployments.NODES.split(",").length), text(nodes.getJsonObject("data"), "listed-nodes"));
        assertEquals("not set", nodes.getJsonObject("data").getString("address-template"));
    }

    @Test
    void live_reportsTheChannelPool() throws Exception {
        JsonObject health = get("health/live", 200);

        assertEquals("UP", health.getString("status"), health.toString());
        JsonObject channels = check(health, ChannelsLiveness.NAME);
        assertEquals("UP", channels.getString("status"));
        JsonObject data = channels.getJsonObject("data");
        assertEquals("1024", text(data, "max-channels"), data.toString());
        assertEquals("10000", text(data, "max-in-flight-requests"), data.toString());
        assertEquals("0", text(data, "in-flight-requests"), data.toString());
        assertTrue(Integer.parseInt(text(data, "open-channels")) >= 0, data.toString());
    }

    @Test
    void health_listsEveryCheck() throws Exception {
        JsonObject health = get("health", 200);

        check(health, CredentialsReadiness.NAME);
        check(health, NodesReadiness.NAME);
        check(health, ChannelsLiveness.NAME);
    }

    private JsonObject get(String path, int status) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(status, response.statusCode(), response.body());
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    /** A data value as text: the server may write numbers as JSON numbers or as strings. */
    private static String text(JsonObject data, String key) {
        JsonValue value = data.get(key);
        assertTrue(value != null, key + " missing from " + data);
        return value instanceof JsonString s ? s.getString() : value.toString();
    }

    private static JsonObject check(JsonObject health, String name) {
        return health.getJsonArray("checks").stream()
                .map(JsonObject.class::cast)
                .filter(c -> c.getString("name").equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + health));
    }
}
