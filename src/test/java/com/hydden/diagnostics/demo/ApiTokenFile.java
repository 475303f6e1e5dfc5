package com.hydden.diagnostics.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Writes the file that {@code diagnostics.auth.api-tokens} names: one line per token,
 * {@code name sha256-hex roles}. The file holds the token's SHA-256, never the token.
 */
public final class ApiTokenFile {

    private ApiTokenFile() {
    }

    /** Writes {@code file} (replacing it) with one token holding {@code roles} (comma-separated). */
    public static Path write(Path file, String name, String token, String roles) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.writeString(file, name + " " + sha256Hex(token) + " " + roles + "\n", StandardCharsets.UTF_8);
    }

    static String sha256Hex(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
