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
                new SourceState(true, 5, Optional.empty()), new SourceState(true, 3, Optional.empty()));

        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        assertEquals(Map.of("jwt-keys", 2L, "api-tokens", 5L, "policy", 3L), response.getData().orElseThrow());
    }

    @Test
    void oneSourceOnly_isUp_andSaysTheOtherIsNotSet() {
        HealthCheckResponse response = CredentialsReadiness.check(UNSET, new SourceState(true, 1, Optional.empty()), UNSET);

        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        assertEquals("diagnostics.auth.jwt.jwks is not set", response.getData().orElseThrow().get("jwt-keys"));
    }

    @Test
    void noSource_isDown_namingBothKeys() {
        HealthCheckResponse response = CredentialsReadiness.check(UNSET, UNSET, UNSET);

        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        String problem = (String) response.getData().orElseThrow().get("problem");
        assertTrue(problem.contains("diagnostics.auth.jwt.jwks") && problem.contains("diagnostics.auth.api-tokens"),
                problem);
    }

    @Test
    void brokenTokenFile_isDown_sayingWhy() {
        HealthCheckResponse response = CredentialsReadiness.check(new SourceState(true, 2, Optional.empty()),
                new SourceState(true, 0, Optional.of("cannot reload: line 3: expected 'name sha256-hex roles'")), UNSET);

        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        assertEquals("diagnostics.auth.api-tokens: cannot reload: line 3: expected 'name sha256-hex roles'",
                response.getData().orElseThrow().get("problem"));
    }

    @Test
    void failedKeyReload_isUp_andReported() {
        HealthCheckResponse response = CredentialsReadiness.check(
                new SourceState(true, 2, Optional.of("the last reload failed, the previous keys are in use: no such file")),
                UNSET, UNSET);

        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        assertEquals("the last reload failed, the previous keys are in use: no such file",
                response.getData().orElseThrow().get("jwt-keys-problem"));
    }

    @Test
    void failedPolicyReload_isUp_andReportedWithItsLine() {
        HealthCheckResponse response = CredentialsReadiness.check(new SourceState(true, 2, Optional.empty()), UNSET,
                new SourceState(true, 4, Optional.of("cannot reload, the last good policy stays in use: line 7: "
                        + "max-seconds must be a whole number of seconds, 0 to 999999999")));

        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        Map<String, Object> data = response.getData().orElseThrow();
        assertEquals(4L, data.get("policy"));
        assertTrue(((String) data.get("policy-problem")).contains("line 7: max-seconds"), data.toString());
    }

    @Test
    void noPolicy_saysSo() {
        HealthCheckResponse response = CredentialsReadiness.check(new SourceState(true, 2, Optional.empty()), UNSET, UNSET);

        assertEquals("diagnostics.auth.policy is not set", response.getData().orElseThrow().get("policy"));
    }
}
