package com.hydden.diagnostics.auth;

import static com.hydden.diagnostics.testing.TestCredentials.sha256Hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.TestCredentials;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiTokensTest {

    static final String TOKEN = TestCredentials.newToken();
    static final String OTHER = TestCredentials.newToken();

    @TempDir
    Path dir;

    ApiTokens tokens(String content) throws Exception {
        Path file = dir.resolve("api-tokens");
        Files.writeString(file, content);
        return new ApiTokens(file);
    }

    CredentialValidationResult validate(ApiTokens tokens, String token) {
        return tokens.validate(new TokenCredential(token));
    }

    @Test
    void knownToken_givesItsNameAndRoles() throws Exception {
        ApiTokens tokens = tokens("# ci robots\n\nci " + sha256Hex(TOKEN) + " diagnostics,viewer  # nightly\n"
                + "other " + sha256Hex(OTHER).toUpperCase() + "\n");

        CredentialValidationResult ci = validate(tokens, TOKEN);
        assertEquals(CredentialValidationResult.Status.VALID, ci.getStatus());
        assertEquals("ci", ci.getCallerPrincipal().getName());
        assertEquals(Set.of("diagnostics", "viewer"), ci.getCallerGroups());

        CredentialValidationResult other = validate(tokens, OTHER);
        assertEquals("other", other.getCallerPrincipal().getName());
        assertEquals(Set.of(), other.getCallerGroups());
    }

    @Test
    void unknownToken_isInvalid() throws Exception {
        ApiTokens tokens = tokens("ci " + sha256Hex(TOKEN) + " diagnostics\n");
        for (String token : List.of(OTHER, TOKEN + " ", TOKEN.toUpperCase(), sha256Hex(TOKEN), "")) {
            assertEquals(CredentialValidationResult.Status.INVALID, validate(tokens, token).getStatus(), token);
        }
    }

    @Test
    void removedLine_revokesTheTokenWithoutRestart() throws Exception {
        ApiTokens tokens = tokens("ci " + sha256Hex(TOKEN) + " diagnostics\nother " + sha256Hex(OTHER) + " diagnostics\n");
        assertEquals(CredentialValidationResult.Status.VALID, validate(tokens, TOKEN).getStatus());

        TestCredentials.replace(dir.resolve("api-tokens"), "other " + sha256Hex(OTHER) + " diagnostics\n");

        assertEquals(CredentialValidationResult.Status.INVALID, validate(tokens, TOKEN).getStatus());
        assertEquals(CredentialValidationResult.Status.VALID, validate(tokens, OTHER).getStatus());
    }

    @Test
    void fileBrokenAtRuntime_refusesEveryTokenUntilFixed() throws Exception {
        String good = "ci " + sha256Hex(TOKEN) + " diagnostics\n";
        ApiTokens tokens = tokens(good);
        Path file = dir.resolve("api-tokens");

        TestCredentials.replace(file, good + "half-edited line\n");
        assertEquals(CredentialValidationResult.Status.INVALID, validate(tokens, TOKEN).getStatus());

        Files.delete(file);
        assertEquals(CredentialValidationResult.Status.INVALID, validate(tokens, TOKEN).getStatus());

        TestCredentials.replace(file, good);
        assertEquals(CredentialValidationResult.Status.VALID, validate(tokens, TOKEN).getStatus());
    }

    @Test
    void state_countsTheTokens_andSaysWhyABrokenFileIsUnusable() throws Exception {
        String good = "ci " + sha256Hex(TOKEN) + " diagnostics\nother " + sha256Hex(OTHER) + "\n";
        ApiTokens tokens = tokens(good);
        Path file = dir.resolve("api-tokens");
        assertEquals(new SourceState(true, 2, Optional.empty()), tokens.state());

        TestCredentials.replace(file, good + "half-edited line\n");
        SourceState broken = tokens.state();
        assertEquals(0, broken.loaded());
        assertTrue(broken.problem().orElseThrow().endsWith("line 3: the second field must be the token's SHA-256 as 64 hex digits"),
                broken.problem().toString());

        Files.delete(file);
        assertTrue(tokens.state().problem().orElseThrow().endsWith("cannot read " + file + ": no such file"),
                tokens.state().problem().toString());

        TestCredentials.replace(file, good);
        assertEquals(new SourceState(true, 2, Optional.empty()), tokens.state());
        assertEquals(new SourceState(false, 0, Optional.empty()), new ApiTokens().state());
    }

    @Test
    void invalidFileAtStartup_failsNamingTheKeyAndLine() {
        for (String content : List.of("ci\n", "ci nothex diagnostics\n", "c/i " + sha256Hex(TOKEN) + "\n",
                "ci " + sha256Hex(TOKEN) + " diag nostics\n", "ci " + sha256Hex(TOKEN) + " a,,b\n",
                "ci " + sha256Hex(TOKEN) + "\nci " + sha256Hex(OTHER) + "\n",
                "ci " + sha256Hex(TOKEN) + "\nother " + sha256Hex(TOKEN) + "\n")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tokens(content), content);
            assertTrue(e.getMessage().startsWith("diagnostics.auth.api-tokens: line "), e.getMessage());
            assertTrue(!e.getMessage().contains(sha256Hex(TOKEN)), e.getMessage());
        }
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new ApiTokens(dir.resolve("missing")));
        assertTrue(missing.getMessage().startsWith("diagnostics.auth.api-tokens: "), missing.getMessage());
    }

    @Test
    void credentialToString_neverShowsTheToken() {
        assertTrue(!new TokenCredential(TOKEN).toString().contains(TOKEN));
    }
}
