package com.hydden.diagnostics.grid;

import static com.hydden.diagnostics.testing.Api.body;
import static com.hydden.diagnostics.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.Scripts;
import com.hydden.diagnostics.testing.TestCertificates;
import com.hydden.diagnostics.testing.TestCertificates.Issued;
import com.hydden.diagnostics.testing.TestNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Mutual TLS: the server presents {@code diagnostics.grid.tls.cert} and {@code .key} to nodes that demand a
 * client certificate. (A node demanding one from a server without any is in {@link NodeTlsIT}.)
 */
@ExtendWith(ArquillianExtension.class)
class MutualTlsIT {

    static final String MUTUAL = "mtls-node";
    static final String OTHER_GRID = "mtls-other-grid-node";

    static Path dir;
    static TestNode mutual;
    static TestNode otherGrid;

    @Deployment(testable = false)
    static WebArchive deployment() {
        try {
            dir = Files.createTempDirectory("node-mtls-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestCertificates grid = TestCertificates.authority(dir, "grid");
        TestCertificates other = TestCertificates.authority(dir, "other");
        Issued localhost = grid.issue("localhost", new String[] {"localhost"}, "127.0.0.1");
        Issued server = grid.issue("diagnostics-api", new String[0]);
        mutual = new TestNode(TestCertificates.serverCredentials(localhost, grid.caPem()));
        // Its own certificate is from the trusted grid CA, but it accepts clients of another grid only.
        otherGrid = new TestNode(TestCertificates.serverCredentials(localhost, other.caPem()));
        return Deployments.war(Map.of(
                "diagnostics.grid.tls", "true",
                "diagnostics.grid.tls.trust", grid.caPem().toString(),
                "diagnostics.grid.tls.cert", server.certPem().toString(),
                "diagnostics.grid.tls.key", server.keyPem().toString(),
                "diagnostics.grid.nodes", String.join(",", Deployments.NODES,
                        MUTUAL + "=localhost:" + mutual.port(),
                        OTHER_GRID + "=localhost:" + otherGrid.port())));
    }

    @AfterAll
    static void stopNodes() throws Exception {
        mutual.close();
        otherGrid.close();
        TestCertificates.delete(dir);
    }

    @ArquillianResource
    URL base;

    @Test
    void nodeDemandingClientCertificate_acceptsTheConfiguredOne_andAnswersWithTheExactBytes() throws Exception {
        byte[] profile = new byte[200_000];
        new Random(62).nextBytes(profile);
        mutual.script(MUTUAL, Scripts.answer(profile));

        HttpResponse<byte[]> response = new Api(base).profile(body(MUTUAL, "heap"));

        assertEquals(200, response.statusCode(), () -> new String(response.body()));
        assertArrayEquals(profile, response.body());
        assertEquals(MUTUAL, mutual.nextRequest(MUTUAL).getClient());
    }

    @Test
    void nodeTrustingAnotherCa_refusesTheClientCertificate_is404Offline() throws Exception {
        otherGrid.script(OTHER_GRID, Scripts.answer(new byte[100]));

        assertProblem(new Api(base).profile(body(OTHER_GRID, "heap")), 404, "node-offline");
        assertEquals(0, otherGrid.profileCalls());
    }
}
