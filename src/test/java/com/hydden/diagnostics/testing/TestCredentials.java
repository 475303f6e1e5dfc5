package com.hydden.diagnostics.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.JoseException;

/**
 * The credentials the test server trusts: signing keys generated for this run (their public halves in a JWKS
 * file), and an API token file. Both files are replaced atomically when a test rotates a key or revokes a token,
 * so the server never reads half a file.
 */
public final class TestCredentials {

    public static final String ISSUER = "https://portal.test";
    public static final String AUDIENCE = "diagnostics-api";
    public static final String ROLE = "diagnostics";
    public static final String COOKIE = "jwt";
    public static final String RS256 = AlgorithmIdentifiers.RSA_USING_SHA256;
    public static final String ES256 = AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256;

    public static final PublicJsonWebKey RSA = generateRsa("rsa-1");
    public static final PublicJsonWebKey EC = generateEc("ec-1");

    private static final Path DIR = tempDir();
    public static final Path JWKS = DIR.resolve("jwks.json");
    public static final Path API_TOKENS = DIR.resolve("api-tokens");

    /** An API token with the role, sent by {@link Api} unless a test says otherwise. */
    public static final String DEFAULT_API_TOKEN = newToken();

    private static final List<PublicJsonWebKey> keys = new ArrayList<>(List.of(RSA, EC));
    private static final Map<String, String> tokenLines = new LinkedHashMap<>();

    static {
        tokenLines.put("ci", "ci " + sha256Hex(DEFAULT_API_TOKEN) + " " + ROLE);
        writeJwks();
        writeTokens();
    }

    private TestCredentials() {
    }

    /** A JWT with valid claims for the test server, signed by {@code key} with {@code alg}, then edited. */
    public static String jwt(PublicJsonWebKey key, String alg, Consumer<JwtClaims> edit) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience(AUDIENCE);
        claims.setSubject("alice");
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(5);
        claims.setStringListClaim("groups", ROLE, "viewer");
        edit.accept(claims);
        return sign(claims.toJson(), key, alg);
    }

    public static String jwt(PublicJsonWebKey key, String alg) {
        return jwt(key, alg, c -> { });
    }

    public static String sign(String payload, PublicJsonWebKey key, String alg) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(payload);
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(alg);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    public static NumericDate secondsFromNow(long seconds) {
        NumericDate date = NumericDate.now();
        date.addSeconds(seconds);
        return date;
    }

    /** Publishes {@code key} in the JWKS file, as an identity provider does when it rotates. */
    public static synchronized void publish(PublicJsonWebKey key) {
        keys.add(key);
        writeJwks();
    }

    /** Adds a token line and returns the new token. */
    public static synchronized String addApiToken(String name, String roles) {
        String token = newToken();
        tokenLines.put(name, name + " " + sha256Hex(token) + " " + roles);
        writeTokens();
        return token;
    }

    public static synchronized void removeApiToken(String name) {
        tokenLines.remove(name);
        writeTokens();
    }

    /** Keys in the JWKS file now (tests publish more as they rotate). */
    public static synchronized int publishedKeys() {
        return keys.size();
    }

    /** Lines in the API-token file now. */
    public static synchronized int apiTokens() {
        return tokenLines.size();
    }

    /** The JWKS JSON of {@code publicKeys}, public parts only. */
    public static String jwksJson(List<? extends JsonWebKey> publicKeys) {
        return new JsonWebKeySet(publicKeys).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    public static PublicJsonWebKey generateRsa(String kid) {
        try {
            PublicJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId(kid);
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    public static PublicJsonWebKey generateEc(String kid) {
        try {
            PublicJsonWebKey key = EcJwkGenerator.generateJwk(EllipticCurves.P256);
            key.setKeyId(kid);
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 32 random bytes as hex, like {@code openssl rand -hex 32}. */
    public static String newToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeJwks() {
        replace(JWKS, jwksJson(keys));
    }

    private static void writeTokens() {
        replace(API_TOKENS, "# name sha256 roles\n" + String.join("\n", tokenLines.values()) + "\n");
    }

    /** Writes {@code content} to {@code target} in one atomic step. */
    public static void replace(Path target, String content) {
        try {
            Path next = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".next");
            Files.writeString(next, content, StandardCharsets.UTF_8);
            Files.move(next, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("diagnostics-auth-");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
