package com.hydden.diagnostics.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.hydden.diagnostics.problem.ProblemException;
import java.util.Map;
import com.hydden.diagnostics.cluster.Slots;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CallerLimitsTest {

    @Test
    void beyondTheLimit_is429CallerBusy_withRetryAfter() {
        CallerLimits limits = new CallerLimits(2, Slots.inMemory(Duration.ofSeconds(30)));
        limits.admit("jwt:alice");
        limits.admit("jwt:alice");

        ProblemException e = assertThrows(ProblemException.class, () -> limits.admit("jwt:alice"));

        assertEquals(429, e.problem().status());
        assertEquals("urn:hydden:diagnostics:problem:caller-busy", e.problem().type());
        assertEquals(Map.of("Retry-After", "5"), e.headers());
        assertEquals(2, limits.inFlight("jwt:alice"));
    }

    @Test
    void callersAreCountedApart() {
        CallerLimits limits = new CallerLimits(1, Slots.inMemory(Duration.ofSeconds(30)));
        limits.admit("jwt:alice");

        limits.admit("token:alice");
        limits.admit("jwt:bob");

        assertEquals(1, limits.inFlight("jwt:alice"));
        assertEquals(1, limits.inFlight("token:alice"));
    }

    @Test
    void closingAPermit_givesItsPlaceBack_once() {
        CallerLimits limits = new CallerLimits(2, Slots.inMemory(Duration.ofSeconds(30)));
        CallerLimits.Permit first = limits.admit("jwt:alice");
        limits.admit("jwt:alice");

        first.close();
        first.close();

        assertEquals(1, limits.inFlight("jwt:alice"));
        limits.admit("jwt:alice");
        assertThrows(ProblemException.class, () -> limits.admit("jwt:alice"));
    }

    @Test
    void limitBelowOne_failsNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CallerLimits(0, Slots.inMemory(Duration.ofSeconds(30))));

        assertEquals("diagnostics.pprof.max-per-caller: must be at least 1, is 0", e.getMessage());
    }
}
