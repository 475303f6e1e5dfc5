package com.hydden.diagnostics.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZipWriterTest {

    @TempDir
    Path dir;

    @Test
    void wholeAndStreamedEntries_readBackByteForByte_storedAndInOrder() throws Exception {
        byte[] small = "{\"a\":1}".getBytes();
        byte[] large = random(1_000_000, 1);
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        ZipWriter zip = new ZipWriter(archive);
        zip.write("n1/stats.json", small);
        ZipWriter.Entry entry = zip.open("n1/heap.pb.gz");
        for (int offset = 0; offset < large.length; offset += 65536) {
            entry.stream().write(large, offset, Math.min(65536, large.length - offset));
        }
        entry.close();
        zip.write("manifest.json", small);
        zip.finish();
        assertEquals(archive.size(), zip.written());

        try (ZipFile file = open(archive.toByteArray())) {
            List<String> names = Collections.list(file.entries()).stream().map(ZipEntry::getName).toList();
            assertEquals(List.of("n1/stats.json", "n1/heap.pb.gz", "manifest.json"), names);
            for (ZipEntry e : Collections.list(file.entries())) {
                assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
            }
            assertArrayEquals(large, read(file, "n1/heap.pb.gz"));
            assertEquals(large.length, file.getEntry("n1/heap.pb.gz").getSize());
            assertArrayEquals(small, read(file, "manifest.json"));
        }
    }

    @Test
    void droppedEntry_isNotListed_andTheArchiveStillOpens() throws Exception {
        byte[] error = "{\"type\":\"x\"}".getBytes();
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        ZipWriter zip = new ZipWriter(archive);
        ZipWriter.Entry partial = zip.open("n1/heap.pb.gz");
        partial.stream().write(random(300_000, 2));
        partial.drop();
        zip.write("n1/heap.error.json", error);
        zip.finish();

        try (ZipFile file = open(archive.toByteArray())) {
            assertNull(file.getEntry("n1/heap.pb.gz"));
            assertArrayEquals(error, read(file, "n1/heap.error.json"));
            assertEquals(1, file.size());
        }
    }

    @Test
    void emptyArchive_opens() throws Exception {
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        new ZipWriter(archive).finish();
        try (ZipFile file = open(archive.toByteArray())) {
            assertEquals(0, file.size());
        }
    }

    private ZipFile open(byte[] archive) throws IOException {
        Path path = Files.createTempFile(dir, "bundle", ".zip");
        Files.write(path, archive);
        return new ZipFile(path.toFile());
    }

    private static byte[] read(ZipFile file, String name) throws IOException {
        try (InputStream in = file.getInputStream(file.getEntry(name))) {
            return in.readAllBytes();
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
