package com.hydden.diagnostics.auth;

import static com.hydden.diagnostics.testing.TestCredentials.RS256;
import static com.hydden.diagnostics.testing.TestCredentials.jwt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.TestCredentials;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jose4j.jwk.PublicJsonWebKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys served over HTTPS: trust, rotation, and the refresh limit for unknown kids. */
class JwksKeysTest {

    static final PublicJsonWebKey KEY = TestCredentials.generateRsa("k1");
    static final PublicJsonWebKey NEXT = TestCredentials.generateRsa("k2");
    static final PublicJsonWebKey THIRD = TestCredentials.generateRsa("k3");

    @TempDir
    Path dir;
    JwksServer server;
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @BeforeEach
    void start() throws Exception {
        server = new JwksServer(dir, TestCredentials.jwksJson(List.of(KEY)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    JwtVerifier verifier() {
        JwksKeys keys = JwksKeys.load(server.url(), Optional.of(server.trustPem().toString()), nanos::get);
        return new JwtVerifier(keys, Optional.empty(), Optional.empty(), Duration.ofSeconds(30), "groups");
    }

    static CredentialValidationResult.Status status(JwtVerifier verifier, String token) {
        return verifier.validate(new TokenCredential(token)).getStatus();
    }

    @Test
    void keysFromHttps_verifyTokens() {
        JwtVerifier verifier = verifier();
        assertEquals(CredentialValidationResult.Status.VALID, status(verifier, jwt(KEY, RS256)));
        assertEquals(1, server.fetches());
    }

    @Test
    void unknownKids_refreshAtMostOncePerMinute() {
        JwtVerifier verifier = verifier();
        server.serve(TestCredentials.jwksJson(List.of(KEY, NEXT)));

        assertEquals(CredentialValidationResult.Status.VALID, status(verifier, jwt(NEXT, RS256)), "rotated key");
        assertEquals(2, server.fetches());

        server.serve(TestCredentials.jwksJson(List.of(KEY, NEXT, THIRD)));
        for (int i = 0; i < 20; i++) {
            assertEquals(CredentialValidationResult.Status.INVALID, status(verifier, jwt(THIRD, RS256)));
        }
        assertEquals(2, server.fetches(), "no fetch within the minute after the last one");

        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        assertEquals(CredentialValidationResult.Status.VALID, status(verifier, jwt(THIRD, RS256)));
        assertEquals(3, server.fetches());
    }

    @Test
    void serverCertificateNotTrusted_failsNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JwksKeys.load(server.url(), Optional.empty()));
        assertTrue(e.getMessage().startsWith("diagnostics.auth.jwt.jwks: "), e.getMessage());
    }

    @Test
    void unreadableTrustFile_failsNamingTheKey() throws Exception {
        Path notPem = Files.writeString(dir.resolve("not.pem"), "nothing");
        for (Path trust : List.of(notPem, dir.resolve("missing.pem"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> JwksKeys.load(server.url(), Optional.of(trust.toString())));
            assertTrue(e.getMessage().startsWith("diagnostics.auth.jwt.jwks.trust: "), e.getMessage());
        }
    }
}
