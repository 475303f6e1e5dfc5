package com.hydden.diagnostics.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** A bundle as a client keeps it: saved to a file, then opened with {@code java.util.zip.ZipFile}. */
final class BundleArchive implements AutoCloseable {

    private final Path path;
    private final ZipFile zip;

    private BundleArchive(Path path) throws IOException {
        this.path = path;
        this.zip = new ZipFile(path.toFile());
    }

    /** Copies {@code body} to a temporary file as it arrives (never whole in memory) and opens it. */
    static BundleArchive save(InputStream body) throws IOException {
        Path path = Files.createTempFile("bundle", ".zip");
        try (InputStream in = body; OutputStream out = Files.newOutputStream(path)) {
            in.transferTo(out);
        }
        return new BundleArchive(path);
    }

    static BundleArchive of(byte[] body) throws IOException {
        Path path = Files.createTempFile("bundle", ".zip");
        Files.write(path, body);
        return new BundleArchive(path);
    }

    List<String> names() {
        return Collections.list(zip.entries()).stream().map(ZipEntry::getName).toList();
    }

    boolean has(String name) {
        return zip.getEntry(name) != null;
    }

    byte[] bytes(String name) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new AssertionError("no entry " + name + " in " + names());
        }
        assertEquals(ZipEntry.STORED, entry.getMethod(), name);
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }

    /** The entry's SHA-256, read as a stream (an entry may be large). */
    String sha256(String name) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = zip.getInputStream(zip.getEntry(name))) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    JsonObject json(String name) throws IOException {
        return Json.createReader(new StringReader(new String(bytes(name), StandardCharsets.UTF_8))).readObject();
    }

    JsonObject manifest() throws IOException {
        List<String> names = names();
        assertEquals("manifest.json", names.get(names.size() - 1), "the manifest is the last entry");
        return json("manifest.json");
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        zip.close();
        Files.deleteIfExists(path);
    }
}
