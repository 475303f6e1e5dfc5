package com.hydden.diagnostics;

import static com.hydden.diagnostics.testing.Api.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.LogCapture;
import com.hydden.diagnostics.testing.Scripts;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A broken configuration key stops the deployment with a message naming the key; fixing it deploys. */
@ExtendWith(ArquillianExtension.class)
class ConfigurationIT {

    private static final String NAME = "configured";

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        return Deployments.war();
    }

    @ArquillianResource
    Deployer deployer;

    @AfterEach
    void restoreTheSharedConfiguration() {
        Deployments.configure(Map.of());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "diagnostics.grid.nodes            | broken",
            "diagnostics.grid.address-template | grid.internal:7443",
            "diagnostics.grid.timeout          | -PT1S",
            "diagnostics.grid.tls              | ture",
            "diagnostics.pprof.max-profile-bytes | 0",
            "diagnostics.auth.jwt.jwks         | /no/such/jwks.json",
            "diagnostics.auth.api-tokens       | /no/such/api-tokens",
            "diagnostics.bundle.max-nodes      | 0",
            "diagnostics.bundle.parallelism    | 0"})
    void brokenKey_stopsTheDeployment_namingTheKey(String key, String value) throws Exception {
        Deployments.configure(Map.of(key, value));

        try (LogCapture log = LogCapture.start()) {
            deployBroken();
            assertTrue(log.lines().stream().anyMatch(line -> line.contains("IllegalArgumentException: " + key + ": ")),
                    "no log line names " + key);
        }
    }

    @Test
    void validConfiguration_afterABrokenOne_deploysAndServes() throws Exception {
        Deployments.configure(Map.of("diagnostics.grid.nodes", "broken"));
        deployBroken();

        Deployments.configure(Map.of());
        deployer.deploy(NAME);
        try {
            String node = Deployments.node(Scripts.answer(new byte[]{1, 2, 3}));
            assertEquals(200, new Api(base()).profile(body(node, "heap")).statusCode());
        } finally {
            deployer.undeploy(NAME);
        }
    }

    /**
     * Deploys expecting failure. The embedded server logs a failed deployment and returns (the Arquillian
     * adapter throws nothing), so the proof is that nothing serves the API afterwards.
     */
    private void deployBroken() throws Exception {
        try {
            deployer.deploy(NAME);
        } catch (RuntimeException reportedByTheAdapter) {
            // some adapter versions do report it; either way the API must not be served
        }
        try {
            HttpResponse<byte[]> response = new Api(base()).profile(body("node-0", "heap"));
            // The server's own error page (404 or 500), not a profile or one of the API's problem bodies.
            assertFalse(response.statusCode() == 200
                            || response.headers().firstValue("Content-Type").orElse("").contains("problem+json"),
                    "the application answered " + response.statusCode() + ", so it started");
        } finally {
            deployer.undeploy(NAME);
        }
    }

    private static URL base() throws Exception {
        return new URL("http://localhost:" + System.getProperty("diagnostics.it.port", "18181") + "/");
    }
}
