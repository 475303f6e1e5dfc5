package com.hydden.diagnostics.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.hydden.diagnostics.problem.ProblemException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestLimitsTest {

    private static RequestLimits limits(int inFlight, int perNode) {
        RequestLimits limits = new RequestLimits();
        limits.maxInFlight = inFlight;
        limits.maxPerNode = perNode;
        limits.check();
        return limits;
    }

    @Test
    void overTheTotal_is503WithRetryAfter() {
        RequestLimits limits = limits(2, 5);
        limits.admit("a");
        limits.admit("b");
        ProblemException e = assertThrows(ProblemException.class, () -> limits.admit("c"));
        assertEquals(503, e.problem().status());
        assertEquals(Map.of("Retry-After", "5"), e.headers());
    }

    @Test
    void overThePerNodeLimit_is429_otherNodesStillAdmitted() {
        RequestLimits limits = limits(10, 2);
        limits.admit("a");
        limits.admit("a");
        ProblemException e = assertThrows(ProblemException.class, () -> limits.admit("a"));
        assertEquals(429, e.problem().status());
        assertEquals(Map.of("Retry-After", "5"), e.headers());
        limits.admit("b");
    }

    @Test
    void closedPermits_giveTheirPlaceBack_once() {
        RequestLimits limits = limits(1, 1);
        RequestLimits.Permit permit = limits.admit("a");
        permit.close();
        permit.close();
        limits.admit("a");
        assertThrows(ProblemException.class, () -> limits.admit("b"), "closing twice must not free two places");
    }

    @Test
    void refusedRequests_holdNoPlace() {
        RequestLimits limits = limits(3, 1);
        limits.admit("a");
        for (int i = 0; i < 10; i++) {
            assertThrows(ProblemException.class, () -> limits.admit("a"));
        }
        limits.admit("b");
        limits.admit("c");
    }

    @Test
    void nonPositiveLimits_failNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> limits(0, 1));
        assertEquals("diagnostics.pprof.max-in-flight: must be at least 1, is 0", e.getMessage());
    }
}
