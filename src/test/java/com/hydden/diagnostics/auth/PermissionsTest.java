package com.hydden.diagnostics.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.problem.ProblemException;
import com.hydden.diagnostics.testing.TestCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PermissionsTest {

    private static final Caller ONCALL = new Caller("bob", Set.of("oncall"), Caller.JWT_BEARER);
    private static final Caller SRE = new Caller("carol", Set.of("sre"), Caller.JWT_BEARER);

    @TempDir
    Path dir;

    @Test
    void noPolicy_theConfiguredRoleMayTakeEverything_othersNothing() {
        Permissions permissions = new Permissions(Optional.empty(), "diagnostics");
        Caller ci = new Caller("ci", Set.of("diagnostics"), Caller.API_TOKEN);

        assertEquals("*", permissions.check(ci, "cpu", "node-1", 300).profiles());
        assertTrue(permissions.admits(ci));
        assertFalse(permissions.admits(ONCALL));
        assertFalse(permissions.state().configured());
    }

    @Test
    void denied_isThe403PermissionDeniedOfTheGate() {
        Permissions permissions = new Permissions(Optional.of(write("oncall heap stage-* 0\n")), "diagnostics");

        ProblemException e = assertThrows(ProblemException.class, () -> permissions.check(ONCALL, "heap", "prod-1", 0));

        assertEquals(403, e.problem().status());
        assertEquals("urn:hydden:diagnostics:problem:permission-denied", e.problem().type());
        assertEquals("permission denied", e.problem().detail());
    }

    @Test
    void policySet_deniesByDefault_evenTheConfiguredRole() {
        Permissions permissions = new Permissions(Optional.of(write("oncall heap stage-* 0\n")), "diagnostics");

        assertFalse(permissions.admits(new Caller("ci", Set.of("diagnostics"), Caller.API_TOKEN)));
        assertTrue(permissions.admits(ONCALL));
    }

    @Test
    void invalidAtStartup_failsNamingTheKeyAndLine() {
        Path policy = write("# header\noncall heap stage-* 60\noncall heap stage-*\n");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Permissions(Optional.of(policy), "diagnostics"));

        assertTrue(e.getMessage().startsWith("diagnostics.auth.policy: line 3: expected"), e.getMessage());
    }

    @Test
    void missingAtStartup_failsNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Permissions(Optional.of(dir.resolve("absent")), "diagnostics"));

        assertTrue(e.getMessage().startsWith("diagnostics.auth.policy: cannot read "), e.getMessage());
        assertTrue(e.getMessage().endsWith("no such file"), e.getMessage());
    }

    @Test
    void changedFile_isUsedOnTheNextCheck() {
        Path policy = write("oncall heap stage-* 0\n");
        Permissions permissions = new Permissions(Optional.of(policy), "diagnostics");
        assertThrows(ProblemException.class, () -> permissions.check(SRE, "cpu", "prod-1", 120));

        TestCredentials.replace(policy, "oncall heap stage-* 0\nsre * * 300\n");

        assertEquals(2, permissions.check(SRE, "cpu", "prod-1", 120).line());
        assertEquals(new SourceState(true, 2, Optional.empty()), permissions.state());
    }

    @Test
    void brokenReload_keepsTheLastGoodPolicy_andReportsTheLine_untilFixed() {
        Path policy = write("oncall heap stage-* 0\n");
        Permissions permissions = new Permissions(Optional.of(policy), "diagnostics");

        TestCredentials.replace(policy, "oncall heap stage-* 0\nsre * * forever\n");

        assertEquals(1, permissions.check(ONCALL, "heap", "stage-1", 0).line());
        assertThrows(ProblemException.class, () -> permissions.check(SRE, "heap", "stage-1", 0));
        SourceState broken = permissions.state();
        assertEquals(1, broken.loaded());
        assertTrue(broken.problem().orElseThrow().contains("line 2: max-seconds"), broken.toString());

        TestCredentials.replace(policy, "sre * * 300\n");

        assertEquals(Optional.empty(), permissions.state().problem());
        assertEquals(1, permissions.check(SRE, "heap", "stage-1", 0).line());
        assertThrows(ProblemException.class, () -> permissions.check(ONCALL, "heap", "stage-1", 0));
    }

    @Test
    void deletedFile_keepsTheLastGoodPolicy_untilItIsBack() throws Exception {
        Path policy = write("oncall heap stage-* 0\n");
        Permissions permissions = new Permissions(Optional.of(policy), "diagnostics");

        Files.delete(policy);

        assertEquals(1, permissions.check(ONCALL, "heap", "stage-1", 0).line());
        assertTrue(permissions.state().problem().orElseThrow().endsWith("no such file"));

        TestCredentials.replace(policy, "sre * * 300\n");

        assertTrue(permissions.admits(SRE));
        assertFalse(permissions.admits(ONCALL));
    }

    private Path write(String content) {
        Path policy = dir.resolve("policy");
        TestCredentials.replace(policy, content);
        return policy;
    }
}
