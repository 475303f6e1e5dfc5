package com.hydden.diagnostics.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.problem.ProblemException;
import io.grpc.Status;
import java.net.ConnectException;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class GridStatusTest {

    private static int httpStatus(Status status) {
        return GridStatus.toProblem(status, 0).problem().status();
    }

    @Test
    void table() {
        assertEquals(400, httpStatus(Status.INVALID_ARGUMENT));
        assertEquals(404, httpStatus(Status.NOT_FOUND));
        assertEquals(404, httpStatus(Status.UNAVAILABLE));
        assertEquals(429, httpStatus(Status.RESOURCE_EXHAUSTED));
        assertEquals(500, httpStatus(Status.DEADLINE_EXCEEDED));
        assertEquals(500, httpStatus(Status.INTERNAL));
        assertEquals(500, httpStatus(Status.UNKNOWN));
        assertEquals(500, httpStatus(Status.PERMISSION_DENIED));
    }

    @Test
    void unavailable_saysNodeOffline() {
        assertEquals("node offline", GridStatus.toProblem(Status.UNAVAILABLE, 0).problem().detail());
    }

    @Test
    void busyProfiler_asksToRetryAfterTheSamplingTime() {
        ProblemException e = GridStatus.toProblem(Status.RESOURCE_EXHAUSTED, 45);
        assertEquals(Map.of("Retry-After", "45"), e.headers());
        assertEquals(Map.of("Retry-After", "30"), GridStatus.toProblem(Status.RESOURCE_EXHAUSTED, 0).headers());
    }

    @Test
    void nodeMessages_areNotPassedOn() {
        String secret = "panic at /srv/node/secret.go:42";
        assertEquals(false, GridStatus.toProblem(Status.INTERNAL.withDescription(secret), 0).problem().toJson().contains(secret));
    }
    @Test
    void describe_carriesTheTransportsCause_withoutJsseRepetitions() {
        Exception root = new Exception("unable to find valid certification path to requested target");
        Exception validator = new Exception("PKIX path building failed: " + root, root);
        SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed: " + root);
        handshake.initCause(validator);
        Status status = Status.UNAVAILABLE.withCause(handshake);

        assertEquals("UNAVAILABLE; caused by " + handshake, GridStatus.describe(status));
        assertTrue(GridStatus.isTlsFailure(status));
        assertFalse(GridStatus.isTlsFailure(Status.UNAVAILABLE.withCause(new ConnectException("Connection refused"))));
        assertEquals("UNAVAILABLE: no connection within PT5S",
                GridStatus.describe(Status.UNAVAILABLE.withDescription("no connection within PT5S")));
    }
}
