package com.hydden.diagnostics.grid;

import static com.hydden.diagnostics.testing.Api.body;
import static com.hydden.diagnostics.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.LogCapture;
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
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.logging.LogRecord;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TLS to nodes as ops turn it on: {@code diagnostics.grid.tls} with the grid's CA as the only trust, no client
 * certificate. Every node here has certificates made for this run; a node this server must not trust is
 * answered like an offline one, and the log says why.
 */
@ExtendWith(ArquillianExtension.class)
class NodeTlsIT {

    static final String BY_NAME = "tls-node";
    static final String BY_IP = "tls-node-by-ip";
    static final String UNTRUSTED = "tls-untrusted-node";
    static final String WRONG_NAME = "tls-wrong-name-node";
    static final String WANTS_CLIENT_CERT = "tls-mutual-node";

    static Path dir;
    static TestNode node;
    static TestNode untrusted;
    static TestNode wrongName;
    static TestNode wantsClientCert;

    @Deployment(testable = false)
    static WebArchive deployment() {
        try {
            dir = Files.createTempDirectory("node-tls-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestCertificates grid = TestCertificates.authority(dir, "grid");
        TestCertificates other = TestCertificates.authority(dir, "other");
        Issued localhost = grid.issue("localhost", new String[] {"localhost"}, "127.0.0.1");
        node = new TestNode(TestCertificates.serverCredentials(localhost, null));
        untrusted = new TestNode(TestCertificates.serverCredentials(
                other.issue("localhost-by-other", new String[] {"localhost"}, "127.0.0.1"), null));
        wrongName = new TestNode(TestCertificates.serverCredentials(
                grid.issue("example-internal", new String[] {"example.internal"}), null));
        wantsClientCert = new TestNode(TestCertificates.serverCredentials(localhost, grid.caPem()));
        return Deployments.war(Map.of(
                "diagnostics.grid.tls", "true",
                "diagnostics.grid.tls.trust", grid.caPem().toString(),
                "diagnostics.grid.nodes", String.join(",", Deployments.NODES,
                        BY_NAME + "=localhost:" + node.port(),
                        BY_IP + "=127.0.0.1:" + node.port(),
                        UNTRUSTED + "=localhost:" + untrusted.port(),
                        WRONG_NAME + "=127.0.0.1:" + wrongName.port(),
                        WANTS_CLIENT_CERT + "=localhost:" + wantsClientCert.port())));
    }

    @AfterAll
    static void stopNodes() throws Exception {
        for (TestNode n : new TestNode[] {node, untrusted, wrongName, wantsClientCert}) {
            n.close();
        }
        TestCertificates.delete(dir);
    }

    @ArquillianResource
    URL base;

    Api api;
    LogCapture logs;

    @BeforeEach
    void setUp() {
        api = new Api(base);
        logs = LogCapture.start();
    }

    @AfterEach
    void stopCapture() {
        logs.close();
    }

    @Test
    void nodeWithCertificateFromTrustedCa_answersWithTheExactBytes_byNameAndByIp() throws Exception {
        byte[] profile = random(300_000, 61);
        node.script(BY_NAME, Scripts.answer(profile));
        node.script(BY_IP, Scripts.answer(profile));

        for (String id : new String[] {BY_NAME, BY_IP}) {
            HttpResponse<byte[]> response = api.profile(body(id, "heap"));
            assertEquals(200, response.statusCode(), () -> id + ": " + new String(response.body()));
            assertArrayEquals(profile, response.body(), id);
        }
    }

    @Test
    void nodeWithCertificateFromUntrustedCa_is404Offline_andTheLogSaysWhy() throws Exception {
        untrusted.script(UNTRUSTED, Scripts.answer(new byte[100]));

        assertProblem(api.profile(body(UNTRUSTED, "heap")), 404, "node-offline");

        String line = tlsFailureLogged(UNTRUSTED);
        assertTrue(line.contains("SSLHandshakeException") && line.contains("certification path"), line);
        assertEquals(0, untrusted.profileCalls(), "the call must not reach an untrusted node");
    }

    @Test
    void nodeWhoseCertificateNamesAnotherHost_is404Offline_andTheLogSaysWhy() throws Exception {
        wrongName.script(WRONG_NAME, Scripts.answer(new byte[100]));

        assertProblem(api.profile(body(WRONG_NAME, "heap")), 404, "node-offline");

        String line = tlsFailureLogged(WRONG_NAME);
        assertTrue(line.contains("127.0.0.1"), line);
        assertEquals(0, wrongName.profileCalls(), "the call must not reach a node with another host's certificate");
    }

    @Test
    void plaintextNode_is404Offline() throws Exception {
        String plaintext = Deployments.node(Scripts.answer(new byte[100]));
        long calls = Deployments.NODE.profileCalls();

        assertProblem(api.profile(body(plaintext, "heap")), 404, "node-offline");

        tlsFailureLogged(plaintext);
        assertEquals(calls, Deployments.NODE.profileCalls(), "the request must not travel in plaintext");
    }

    @Test
    void nodeDemandingClientCertificate_withoutOneConfigured_is404Offline() throws Exception {
        wantsClientCert.script(WANTS_CLIENT_CERT, Scripts.answer(new byte[100]));

        assertProblem(api.profile(body(WANTS_CLIENT_CERT, "heap")), 404, "node-offline");

        // In TLS 1.3 the node refuses after the client's side of the handshake is done, so the client learns
        // it from an alert or a connection the node closed, whichever comes first: a cause, not always TLS's.
        String line = failureLogged(WANTS_CLIENT_CERT).getMessage();
        assertTrue(line.contains("UNAVAILABLE; caused by "), line);
        assertEquals(0, wantsClientCert.profileCalls());
    }

    @Test
    void untrustedNodeAskedAgain_isStill404Offline_andTheLogStillSaysWhy() throws Exception {
        untrusted.script(UNTRUSTED, Scripts.answer(new byte[100]));
        assertProblem(api.profile(body(UNTRUSTED, "heap")), 404, "node-offline");
        logs.close();
        logs = LogCapture.start();

        assertProblem(api.profile(body(UNTRUSTED, "heap")), 404, "node-offline");

        String line = tlsFailureLogged(UNTRUSTED);
        assertTrue(line.contains("SSLHandshakeException"), line);
    }

    /** The log line about {@code nodeId}'s call, which must be a WARNING naming a TLS cause. */
    private String tlsFailureLogged(String nodeId) throws InterruptedException {
        LogRecord record = failureLogged(nodeId);
        String line = record.getMessage();
        assertEquals("WARNING", record.getLevel().getName(), line);
        assertTrue(line.matches(".* ended with UNAVAILABLE; caused by javax\\.net\\.ssl\\.SSL\\w*Exception: .+"), line);
        return line;
    }

    private LogRecord failureLogged(String nodeId) throws InterruptedException {
        return logs.await(r -> r.getLoggerName().startsWith("com.hydden.diagnostics")
                        && r.getMessage().contains(" profile of node " + nodeId + " ended with "), Duration.ofSeconds(5))
                .orElseThrow(() -> new AssertionError("nothing logged about " + nodeId + ": " + logs.lines()));
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
