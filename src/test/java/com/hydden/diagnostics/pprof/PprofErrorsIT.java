package com.hydden.diagnostics.pprof;

import static com.hydden.diagnostics.testing.Api.body;
import static com.hydden.diagnostics.testing.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.Scripts;
import io.grpc.Status;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every refusal answers with its status and an RFC 9457 body, decided before any profile byte. */
@ExtendWith(ArquillianExtension.class)
class PprofErrorsIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war();
    }

    @ArquillianResource
    URL base;

    private HttpResponse<byte[]> post(String json) throws Exception {
        return new Api(base).profile(json);
    }

    @Test
    void malformedJson_is400() throws Exception {
        assertTrue(assertProblem(post("{\"client\":"), 400, "invalid-request").getString("detail").startsWith("malformed JSON"));
    }

    @Test
    void unknownProfile_is400NamingTheField() throws Exception {
        String node = Deployments.node(Scripts.answer(new byte[1]));
        assertTrue(assertProblem(post(body(node, "trace")), 400, "invalid-request").getString("detail").startsWith("profile"));
    }

    @Test
    void deltaSecondsOutOfRange_is400() throws Exception {
        assertProblem(post("{\"client\":\"x\",\"profile\":\"heap\",\"seconds\":0}"), 400, "invalid-request");
        assertProblem(post("{\"client\":\"x\",\"profile\":\"heap\",\"seconds\":301}"), 400, "invalid-request");
    }

    @Test
    void nodeIdThatCouldSteerTheConnection_is400() throws Exception {
        assertProblem(post(body("evil.example:80", "heap")), 400, "invalid-request");
    }

    @Test
    void textPlainBody_is415() throws Exception {
        Api api = new Api(base);
        HttpResponse<byte[]> response = api.send(api.request()
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body("x", "heap"))).build());
        assertProblem(response, 415, "unsupported-media-type");
    }

    @Test
    void missingContentType_is415() throws Exception {
        Api api = new Api(base);
        HttpResponse<byte[]> response = api.send(api.request()
                .POST(HttpRequest.BodyPublishers.ofString(body("x", "heap"))).build());
        assertProblem(response, 415, "unsupported-media-type");
    }

    @Test
    void getInsteadOfPost_is405() throws Exception {
        Api api = new Api(base);
        assertProblem(api.send(api.request().GET().build()), 405, "method-not-allowed");
    }

    @Test
    void unknownNode_is404() throws Exception {
        assertProblem(post(body("nobody-knows-me", "heap")), 404, "unknown-node");
    }

    @Test
    void nodeNotListening_is404Offline() throws Exception {
        assertEquals("node offline",
                assertProblem(post(body(Deployments.OFFLINE, "heap")), 404, "node-offline").getString("detail"));
    }

    @Test
    void nodeSaysNotFound_is404() throws Exception {
        String node = Deployments.node(Scripts.fail(Status.NOT_FOUND.withDescription("unknown module")));
        assertProblem(post(body(node, "heap")), 404, "unknown-module");
    }

    @Test
    void nodeSaysInvalidArgument_is400() throws Exception {
        String node = Deployments.node(Scripts.fail(Status.INVALID_ARGUMENT));
        assertProblem(post(body(node, "mutex")), 400, "rejected-by-node");
    }

    @Test
    void cpuProfilerBusy_is429WithRetryAfter() throws Exception {
        String node = Deployments.node(Scripts.fail(Status.RESOURCE_EXHAUSTED.withDescription("cpu profiling already in use")));
        HttpResponse<byte[]> response = post("{\"client\":\"" + node + "\",\"profile\":\"cpu\",\"seconds\":12}");
        assertProblem(response, 429, "profiler-busy");
        assertEquals("12", response.headers().firstValue("Retry-After").orElse(""));
    }

    @Test
    void profilingFails_is500WithoutTheNodesMessage() throws Exception {
        String node = Deployments.node(Scripts.fail(Status.INTERNAL.withDescription("secret stack at main.go:12")));
        HttpResponse<byte[]> response = post(body(node, "block"));
        assertProblem(response, 500, "profiling-failed");
        assertTrue(!new String(response.body()).contains("main.go"));
    }

    @Test
    void emptyProfile_is500() throws Exception {
        String node = Deployments.node(Scripts.answer(new byte[0]));
        assertProblem(post(body(node, "heap")), 500, "profiling-failed");
    }

    @Test
    void nodeThatNeverAnswers_is500AndItsCallIsCancelled() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        String node = Deployments.node(Scripts.hang(cancelled::countDown));
        // the test deployment's diagnostics.grid.timeout is 2 s: a heap profile must start within it
        assertProblem(post(body(node, "heap")), 500, "node-timeout");
        assertTrue(cancelled.await(5, TimeUnit.SECONDS), "the node's call was not cancelled");
    }
}
