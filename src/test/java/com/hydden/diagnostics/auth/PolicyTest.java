package com.hydden.diagnostics.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyTest {

    private static final Policy ISSUE_EXAMPLE = Policy.parse(List.of(
            "# role      profiles               nodes               max-seconds",
            "oncall      heap,goroutine,cpu     stage-*,prod-eu-*   60",
            "",
            "sre         *                      *                   300   # everything",
            "automation  heap                   node-??             0"));

    // --- parsing ---

    @Test
    void commentsAndBlankLines_areSkipped_andGrantsKeepTheirLineNumbers() {
        List<Grant> grants = ISSUE_EXAMPLE.grants();

        assertEquals(3, grants.size());
        assertEquals(List.of(2, 4, 5), grants.stream().map(Grant::line).toList());
        Grant oncall = grants.get(0);
        assertEquals("oncall", oncall.role());
        assertEquals("heap,goroutine,cpu", oncall.profiles());
        assertEquals("stage-*,prod-eu-*", oncall.nodes());
        assertEquals(60, oncall.maxSeconds());
        assertEquals(Set.of("oncall", "sre", "automation"), ISSUE_EXAMPLE.roles());
    }

    @Test
    void emptyFile_grantsNothing() {
        Policy policy = Policy.parse(List.of("# nobody yet", "   "));

        assertEquals(List.of(), policy.grants());
        assertTrue(policy.decide(Set.of("sre"), "heap", "node-1", 0).grant().isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "oncall heap stage-*                      | expected 'role profiles nodes max-seconds', found 3 fields",
            "oncall heap stage-* 60 extra             | expected 'role profiles nodes max-seconds', found 5 fields",
            "oncall                                   | expected 'role profiles nodes max-seconds', found 1 field",
            "on/call heap stage-* 60                  | the role must be",
            "oncall heap,,cpu stage-* 60              | profiles must be * or a comma list",
            "oncall heap, stage-* 60                  | profiles must be * or a comma list",
            "oncall heap,* stage-* 60                 | profiles must be * or a comma list",
            "oncall HEAP stage-* 60                   | profiles must be * or a comma list",
            "oncall heap stage-[0-9] 60               | nodes must be a comma list",
            "oncall heap stage-*, 60                  | nodes must be a comma list",
            "oncall heap stage/* 60                   | nodes must be a comma list",
            "oncall heap stage-* -1                   | max-seconds must be a whole number",
            "oncall heap stage-* 60s                  | max-seconds must be a whole number",
            "oncall heap stage-* 1234567890           | max-seconds must be a whole number",
            "oncall heap stage-* *                    | max-seconds must be a whole number"})
    void malformedLine_isRefusedWithItsNumber(String line, String why) {
        List<String> lines = List.of("# header", "sre * * 300", "", line, "oncall heap * 0");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Policy.parse(lines));

        assertTrue(e.getMessage().startsWith("line 4: " + why), e.getMessage());
    }

    @Test
    void aCommentAfterAGrant_isNotPartOfIt() {
        Policy policy = Policy.parse(List.of("oncall heap node-1 0#note", "sre cpu * 5 # 300"));

        assertEquals(0, policy.grants().get(0).maxSeconds());
        assertEquals(5, policy.grants().get(1).maxSeconds());
    }

    // --- matching ---

    @ParameterizedTest(name = "{0} {1} on {2} for {3} s: {4}")
    @CsvSource({
            "oncall, heap,      stage-1,    0,   true",
            "oncall, goroutine, prod-eu-7,  0,   true",
            "oncall, cpu,       prod-eu-7,  60,  true",
            "oncall, cpu,       prod-eu-7,  61,  false",
            "oncall, allocs,    stage-1,    0,   false",
            "oncall, heap,      prod-us-1,  0,   false",
            "oncall, heap,      stage-,     0,   true",
            "oncall, heap,      xstage-1,   0,   false",
            "sre,    mutex,     prod-us-1,  0,   true",
            "sre,    cpu,       anything,   300, true",
            "sre,    cpu,       anything,   301, false",
            "viewer, heap,      stage-1,    0,   false",
            "automation, heap,  node-17,    0,   true",
            "automation, heap,  node-7,     0,   false",
            "automation, heap,  node-170,   0,   false",
            "automation, heap,  node-17,    1,   false"})
    void requestIsAllowed_exactlyWhenAGrantOfTheRoleCoversProfileNodeAndSeconds(String role, String profile,
                                                                                 String node, int seconds,
                                                                                 boolean allowed) {
        assertEquals(allowed, ISSUE_EXAMPLE.decide(Set.of(role), profile, node, seconds).grant().isPresent());
    }

    @Test
    void secondsCap_appliesToAnyProfileThatSamples() {
        // a delta heap profile samples for some seconds, like cpu
        assertTrue(ISSUE_EXAMPLE.decide(Set.of("oncall"), "heap", "stage-1", 60).grant().isPresent());
        assertEquals("61 seconds is more than the grants of the roles [oncall] allow for heap on stage-1 (at most 60)",
                ISSUE_EXAMPLE.decide(Set.of("oncall"), "heap", "stage-1", 61).denial());
    }

    @Test
    void severalRoles_anyGrantOfAnyRoleAllows_andTheFirstMatchingLineIsTheGrant() {
        Policy policy = Policy.parse(List.of(
                "oncall heap,cpu stage-* 60",
                "capacity cpu prod-* 120",
                "sre cpu * 300"));

        Grant prod = policy.decide(Set.of("viewer", "oncall", "capacity"), "cpu", "prod-eu-1", 90).grant().orElseThrow();
        Grant stage = policy.decide(Set.of("oncall", "capacity", "sre"), "cpu", "stage-1", 30).grant().orElseThrow();
        Grant longStage = policy.decide(Set.of("oncall", "sre"), "cpu", "stage-1", 200).grant().orElseThrow();

        assertEquals(2, prod.line());
        assertEquals(1, stage.line());
        assertEquals(3, longStage.line());
    }

    @Test
    void denial_namesTheFirstCheckNoGrantPasses() {
        Set<String> oncall = Set.of("oncall");
        assertEquals("no grant names any of the roles [viewer]",
                ISSUE_EXAMPLE.decide(Set.of("viewer"), "heap", "stage-1", 0).denial());
        assertEquals("no grant of the roles [oncall] covers the profile mutex",
                ISSUE_EXAMPLE.decide(oncall, "mutex", "stage-1", 0).denial());
        assertEquals("no grant of the roles [oncall] covers heap on the node prod-us-1",
                ISSUE_EXAMPLE.decide(oncall, "heap", "prod-us-1", 0).denial());
        assertTrue(ISSUE_EXAMPLE.decide(oncall, "cpu", "stage-1", 90).denial().startsWith("90 seconds is more"));
    }

    @Test
    void globs_treatDotsAndDashesLiterally() {
        Policy policy = Policy.parse(List.of("r * grid.eu-?.*,exact 0"));

        assertTrue(policy.decide(Set.of("r"), "heap", "grid.eu-1.a", 0).grant().isPresent());
        assertTrue(policy.decide(Set.of("r"), "heap", "exact", 0).grant().isPresent());
        assertTrue(policy.decide(Set.of("r"), "heap", "gridxeu-1.a", 0).grant().isEmpty());
        assertTrue(policy.decide(Set.of("r"), "heap", "grid.eu-12.a", 0).grant().isEmpty());
        assertTrue(policy.decide(Set.of("r"), "heap", "exactly", 0).grant().isEmpty());
    }

    @Test
    void withoutAPolicy_theOneRoleMayTakeEverything() {
        Policy policy = Policy.everythingFor("diagnostics");

        Grant grant = policy.decide(Set.of("diagnostics"), "cpu", "any-node", 300).grant().orElseThrow();
        assertEquals("*", grant.profiles());
        assertEquals("*", grant.nodes());
        assertTrue(policy.decide(Set.of("viewer"), "heap", "any-node", 0).grant().isEmpty());
        assertTrue(policy.namesAny(Set.of("viewer", "diagnostics")));
    }
}
