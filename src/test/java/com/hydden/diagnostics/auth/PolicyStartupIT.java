package com.hydden.diagnostics.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.LogCapture;
import com.hydden.diagnostics.testing.Scripts;
import com.hydden.diagnostics.testing.TestCredentials;
import java.io.IOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A policy file that is not valid at startup stops the deployment, naming the key and the line. */
@ExtendWith(ArquillianExtension.class)
class PolicyStartupIT {

    private static final String NAME = "policy-startup";

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        return Deployments.war();
    }

    @ArquillianResource
    Deployer deployer;

    @TempDir
    Path dir;

    @AfterEach
    void restoreTheSharedConfiguration() {
        Deployments.configure(Map.of());
    }

    @Test
    void invalidLine_stopsTheDeployment_namingKeyAndLine_andTheFixedFileDeploys() throws Exception {
        Path policy = dir.resolve("policy");
        TestCredentials.replace(policy, "# role profiles nodes max-seconds\ndiagnostics * * 300\noncall heap stage-*\n");
        Deployments.configure(Map.of("diagnostics.auth.policy", policy.toString()));

        try (LogCapture log = LogCapture.start()) {
            deployBroken();
            assertTrue(log.lines().stream().anyMatch(line -> line.contains(
                            "IllegalArgumentException: diagnostics.auth.policy: line 3: expected 'role profiles nodes max-seconds'")),
                    "no log line names the key and the line");
        }

        TestCredentials.replace(policy, "# role profiles nodes max-seconds\ndiagnostics * * 300\n");
        deployer.deploy(NAME);
        try {
            String node = Deployments.node(Scripts.answer(new byte[]{1, 2, 3}));
            assertEquals(200, new Api(base()).profile(Api.body(node, "heap")).statusCode());
        } finally {
            deployer.undeploy(NAME);
        }
    }

    @Test
    void missingFile_stopsTheDeployment_namingTheKey() throws Exception {
        Deployments.configure(Map.of("diagnostics.auth.policy", dir.resolve("absent").toString()));

        try (LogCapture log = LogCapture.start()) {
            deployBroken();
            assertTrue(log.lines().stream().anyMatch(line -> line.contains(
                    "IllegalArgumentException: diagnostics.auth.policy: cannot read ")), "no log line names the key");
        }
    }

    /** As in ConfigurationIT: the proof that the deployment failed is that nothing serves the API. */
    private void deployBroken() throws Exception {
        try {
            deployer.deploy(NAME);
        } catch (RuntimeException reportedByTheAdapter) {
            // some adapter versions do report it; either way the API must not be served
        }
        try {
            HttpResponse<byte[]> response = new Api(base()).profile(Api.body("node-0", "heap"));
            assertFalse(response.statusCode() == 200
                            || response.headers().firstValue("Content-Type").orElse("").contains("problem+json"),
                    "the application answered " + response.statusCode() + ", so it started");
        } finally {
            deployer.undeploy(NAME);
        }
    }

    private static URL base() throws IOException {
        return new URL("http://localhost:" + System.getProperty("diagnostics.it.port", "18181") + "/");
    }
}
