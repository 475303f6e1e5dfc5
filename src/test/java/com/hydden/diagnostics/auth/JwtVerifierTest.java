package com.hydden.diagnostics.auth;

import static com.hydden.diagnostics.testing.TestCredentials.AUDIENCE;
import static com.hydden.diagnostics.testing.TestCredentials.ES256;
import static com.hydden.diagnostics.testing.TestCredentials.ISSUER;
import static com.hydden.diagnostics.testing.TestCredentials.RS256;
import static com.hydden.diagnostics.testing.TestCredentials.jwt;
import static com.hydden.diagnostics.testing.TestCredentials.secondsFromNow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.TestCredentials;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.OkpJwkGenerator;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtVerifierTest {

    static final PublicJsonWebKey RSA = TestCredentials.generateRsa("rsa-a");
    static final PublicJsonWebKey EC = TestCredentials.generateEc("ec-a");

    @TempDir
    Path dir;
    Path jwks;
    JwtVerifier verifier;

    final List<String> logged = new ArrayList<>();
    final Logger log = Logger.getLogger(JwtVerifier.class.getName());
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, TestCredentials.jwksJson(List.of(RSA, EC)));
        verifier = verifier(Duration.ofSeconds(30));
        log.setLevel(Level.FINE);
        log.addHandler(capture);
    }

    @AfterEach
    void tearDown() {
        log.removeHandler(capture);
        log.setLevel(null);
    }

    JwtVerifier verifier(Duration skew) {
        return new JwtVerifier(JwksKeys.load(jwks.toString(), Optional.empty()), Optional.of(ISSUER),
                Optional.of(AUDIENCE), skew, "groups");
    }

    CredentialValidationResult validate(String token) {
        return verifier.validate(new TokenCredential(token));
    }

    void assertRefused(String token, String reason) {
        CredentialValidationResult result = validate(token);
        assertEquals(CredentialValidationResult.Status.INVALID, result.getStatus());
        assertTrue(logged.stream().anyMatch(line -> line.contains(reason)), () -> "no '" + reason + "' in " + logged);
        assertTrue(logged.stream().noneMatch(line -> line.contains(token) || line.contains(token.split("\\.")[0])),
                () -> "the token was logged: " + logged);
    }

    @Test
    void rs256_isAccepted_withSubjectAndRoles() {
        CredentialValidationResult result = validate(jwt(RSA, RS256));
        assertEquals(CredentialValidationResult.Status.VALID, result.getStatus());
        assertEquals("alice", result.getCallerPrincipal().getName());
        assertEquals(Set.of("diagnostics", "viewer"), result.getCallerGroups());
    }

    @Test
    void es256_isAccepted() {
        assertEquals(CredentialValidationResult.Status.VALID, validate(jwt(EC, ES256)).getStatus());
    }

    @Test
    void ps256AndEdDsa_areAccepted() throws Exception {
        PublicJsonWebKey ed = OkpJwkGenerator.generateJwk("Ed25519");
        ed.setKeyId("ed-a");
        Files.writeString(jwks, TestCredentials.jwksJson(List.of(RSA, EC, ed)));
        assertEquals(CredentialValidationResult.Status.VALID,
                validate(jwt(RSA, AlgorithmIdentifiers.RSA_PSS_USING_SHA256)).getStatus());
        assertEquals(CredentialValidationResult.Status.VALID, validate(jwt(ed, AlgorithmIdentifiers.EDDSA)).getStatus());
    }

    @Test
    void rolesAsSpaceSeparatedString_areRead() {
        CredentialValidationResult result = validate(jwt(RSA, RS256, c -> c.setClaim("groups", "diagnostics  ops")));
        assertEquals(Set.of("diagnostics", "ops"), result.getCallerGroups());
    }

    @Test
    void noRolesClaim_isValidWithoutRoles() {
        CredentialValidationResult result = validate(jwt(RSA, RS256, c -> c.unsetClaim("groups")));
        assertEquals(CredentialValidationResult.Status.VALID, result.getStatus());
        assertEquals(Set.of(), result.getCallerGroups());
    }

    @Test
    void expired_isRefused() {
        assertRefused(jwt(RSA, RS256, c -> c.setExpirationTime(secondsFromNow(-31))), "EXPIRED");
    }

    @Test
    void expiredWithinClockSkew_isAccepted() {
        assertEquals(CredentialValidationResult.Status.VALID,
                validate(jwt(RSA, RS256, c -> {
                    c.setIssuedAt(secondsFromNow(-60));
                    c.setExpirationTime(secondsFromNow(-10));
                })).getStatus());
    }

    @Test
    void notBeforeInTheFuture_isRefused() {
        assertRefused(jwt(RSA, RS256, c -> c.setNotBefore(secondsFromNow(120))), "NOT_YET_VALID");
    }

    @Test
    void issuedInTheFuture_isRefused() {
        assertRefused(jwt(RSA, RS256, c -> c.setIssuedAt(secondsFromNow(120))), "ISSUED_AT_INVALID_FUTURE");
    }

    @Test
    void noExpiry_isRefused() {
        assertRefused(jwt(RSA, RS256, c -> c.unsetClaim("exp")), "EXPIRATION_MISSING");
    }

    @Test
    void noSubject_isRefused() {
        assertRefused(jwt(RSA, RS256, c -> c.unsetClaim("sub")), "SUBJECT_MISSING");
    }

    @Test
    void wrongIssuer_isRefused() {
        assertRefused(jwt(RSA, RS256, c -> c.setIssuer("https://evil.test")), "ISSUER_INVALID");
    }

    @Test
    void wrongAudience_isRefused() {
        assertRefused(jwt(RSA, RS256, c -> c.setAudience("another-api")), "AUDIENCE_INVALID");
    }

    @Test
    void issuerAndAudienceNotConfigured_areNotChecked() {
        verifier = new JwtVerifier(JwksKeys.load(jwks.toString(), Optional.empty()), Optional.empty(), Optional.empty(),
                Duration.ofSeconds(30), "groups");
        assertEquals(CredentialValidationResult.Status.VALID, validate(jwt(RSA, RS256, c -> {
            c.setIssuer("anyone");
            c.setAudience("anything");
        })).getStatus());
    }

    @Test
    void signatureByUnknownKeyWithKnownKid_isRefused() {
        PublicJsonWebKey impostor = TestCredentials.generateRsa("rsa-a");
        assertRefused(jwt(impostor, RS256), "SIGNATURE_INVALID");
    }

    @Test
    void unknownKid_isRefused() {
        assertRefused(jwt(TestCredentials.generateRsa("rsa-unknown"), RS256), "refused");
    }

    @Test
    void algNone_isRefused() throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims().toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
        jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        jws.setKeyIdHeaderValue("rsa-a");
        assertRefused(jws.getCompactSerialization(), "refused");
    }

    @Test
    void hs256KeyedWithThePublicKey_isRefused() throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims().toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setKey(new HmacKey(RSA.getPublicKey().getEncoded()));
        jws.setKeyIdHeaderValue("rsa-a");
        assertRefused(jws.getCompactSerialization(), "refused");
        // The same trick with the JWKS's own JSON as the secret.
        jws.setKey(new HmacKey(Files.readAllBytes(jwks)));
        assertRefused(jws.getCompactSerialization(), "refused");
    }

    @Test
    void tamperedPayload_isRefused() {
        String[] parts = jwt(RSA, RS256, c -> c.setStringListClaim("groups", "viewer")).split("\\.");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                claims().toJson().getBytes(StandardCharsets.UTF_8));
        assertRefused(parts[0] + "." + forged + "." + parts[2], "SIGNATURE_INVALID");
    }

    @Test
    void malformedTokens_areRefused() {
        for (String token : List.of("", "a.b", "a.b.c", "a.b.c.d.e", "!!!.???.***", "eyJhbGciOiJSUzI1NiJ9.eyJ9.",
                "x".repeat(JwtVerifier.MAX_TOKEN_CHARS + 1))) {
            assertEquals(CredentialValidationResult.Status.INVALID, validate(token).getStatus(), token);
        }
        String valid = jwt(RSA, RS256);
        assertEquals(CredentialValidationResult.Status.INVALID, validate(valid + "x").getStatus());
        assertEquals(CredentialValidationResult.Status.INVALID, validate(valid.substring(1)).getStatus());
    }

    @Test
    void rotatedKey_isAcceptedOnceTheFileHasIt() throws Exception {
        PublicJsonWebKey next = TestCredentials.generateRsa("rsa-b");
        String token = jwt(next, RS256);
        assertEquals(CredentialValidationResult.Status.INVALID, validate(token).getStatus());

        TestCredentials.replace(jwks, TestCredentials.jwksJson(List.of(RSA, EC, next)));

        assertEquals(CredentialValidationResult.Status.VALID, validate(token).getStatus());
    }

    @Test
    void symmetricKeysInTheJwks_areIgnored() throws Exception {
        Files.writeString(jwks, "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0\"}]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JwksKeys.load(jwks.toString(), Optional.empty()));
        assertTrue(e.getMessage().startsWith("diagnostics.auth.jwt.jwks: "), e.getMessage());
    }

    @Test
    void unreadableJwks_failsNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JwksKeys.load(dir.resolve("missing.json").toString(), Optional.empty()));
        assertTrue(e.getMessage().startsWith("diagnostics.auth.jwt.jwks: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> JwksKeys.load("http://127.0.0.1/jwks.json", Optional.empty()));
        assertTrue(e.getMessage().contains("https"), e.getMessage());
    }

    @Test
    void negativeClockSkew_failsNamingTheKey() {
        JwtVerifier bean = new JwtVerifier();
        bean.clockSkew = Duration.ofSeconds(-1);
        bean.rolesClaim = "groups";
        bean.jwks = Optional.empty();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bean::start);
        assertTrue(e.getMessage().startsWith("diagnostics.auth.jwt.clock-skew: "), e.getMessage());
    }

    @Test
    void jwtShape_separatesJwtsFromApiTokens() {
        assertTrue(JwtVerifier.hasJwtShape(jwt(RSA, RS256)));
        assertFalse(JwtVerifier.hasJwtShape(TestCredentials.newToken()));
    }

    private static JwtClaims claims() {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience(AUDIENCE);
        claims.setSubject("mallory");
        claims.setExpirationTimeMinutesInTheFuture(5);
        claims.setStringListClaim("groups", "diagnostics");
        return claims;
    }
}
