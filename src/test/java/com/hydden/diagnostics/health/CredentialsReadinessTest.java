package com.hydden.diagnostics.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.auth.SourceState;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class CredentialsReadinessTest {

    private static final SourceState UNSET = new SourceState(false, 0, Optional.empty());

    @Test
    void keysAndTokensLoaded_isUp_withTheirCounts() {
        HealthCheckResponse response = CredentialsReadiness.check(new SourceState(true, 2, Optional.empty()),
                new SourceState(true, 5, Optional.empty()));

        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        assertEquals(Map.of("jwt-keys", 2L, "api-tokens", 5L), response.getData().orElseThrow());
    }

    @Test
    void oneSourceOnly_isUp_andSaysTheOtherIsNotSet() {
        HealthCheckResponse response = CredentialsReadiness.check(UNSET, new SourceState(true, 1, Optional.empty()));

        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        assertEquals("diagnostics.auth.jwt.jwks is not set", response.getData().orElseThrow().get("jwt-keys"));
    }

    @Test
    void noSource_isDown_namingBothKeys() {
        HealthCheckResponse response = CredentialsReadiness.check(UNSET, UNSET);

        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        String problem = (String) response.getData().orElseThrow().get("problem");
        assertTrue(problem.contains("diagnostics.auth.jwt.jwks") && problem.contains("diagnostics.auth.api-tokens"),
                problem);
    }

    @Test
    void brokenTokenFile_isDown_sayingWhy() {
        HealthCheckResponse response = CredentialsReadiness.check(new SourceState(true, 2, Optional.empty()),
                new SourceState(true, 0, Optional.of("cannot reload: line 3: expected 'name sha256-hex roles'")));

        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        assertEquals("diagnostics.auth.api-tokens: cannot reload: line 3: expected 'name sha256-hex roles'",
                response.getData().orElseThrow().get("problem"));
    }

    @Test
    void failedKeyReload_isUp_andReported() {
        HealthCheckResponse response = CredentialsReadiness.check(
                new SourceState(true, 2, Optional.of("the last reload failed, the previous keys are in use: no such file")),
                UNSET);

        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        assertEquals("the last reload failed, the previous keys are in use: no such file",
                response.getData().orElseThrow().get("jwt-keys-problem"));
    }
}
