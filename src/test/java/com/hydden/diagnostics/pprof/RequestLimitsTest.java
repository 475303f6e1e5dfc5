package com.hydden.diagnostics.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.hydden.diagnostics.problem.ProblemException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestLimitsTest {

    private static RequestLimits limits(int inFlight) {
        RequestLimits limits = new RequestLimits();
        limits.maxSeconds = 300;
        limits.maxInFlight = inFlight;
        limits.check();
        return limits;
    }

    @ParameterizedTest
    @ValueSource(strings = {"diagnostics.pprof.max-seconds", "diagnostics.pprof.max-in-flight"})
    void limitBelowOne_failsNamingTheKey(String key) {
        RequestLimits limits = new RequestLimits();
        limits.maxSeconds = key.endsWith("max-seconds") ? 0 : 300;
        limits.maxInFlight = key.endsWith("max-in-flight") ? -1 : 10;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, limits::check);
        assertEquals(key + ": must be at least 1, is " + (key.endsWith("max-in-flight") ? -1 : 0), e.getMessage());
    }

    @Test
    void inFlight_countsPlacesHeld() {
        RequestLimits limits = limits(10);
        RequestLimits.Permit a = limits.admit();
        limits.admit();
        assertEquals(2, limits.inFlight());
        a.close();
        assertEquals(1, limits.inFlight());
    }

    @Test
    void overTheTotal_is503WithRetryAfter() {
        RequestLimits limits = limits(2);
        limits.admit();
        limits.admit();
        ProblemException e = assertThrows(ProblemException.class, () -> limits.admit());
        assertEquals(503, e.problem().status());
        assertEquals(Map.of("Retry-After", "5"), e.headers());
    }

    @Test
    void closedPermits_giveTheirPlaceBack_once() {
        RequestLimits limits = limits(1);
        RequestLimits.Permit permit = limits.admit();
        permit.close();
        permit.close();
        limits.admit();
        assertThrows(ProblemException.class, () -> limits.admit(), "closing twice must not free two places");
    }

    @Test
    void refusedRequests_holdNoPlace() {
        RequestLimits limits = limits(1);
        limits.admit();
        for (int i = 0; i < 10; i++) {
            assertThrows(ProblemException.class, () -> limits.admit());
        }
        assertEquals(1, limits.inFlight());
    }
}
