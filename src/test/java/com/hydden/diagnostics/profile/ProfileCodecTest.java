package com.hydden.diagnostics.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.hydden.diagnostics.profile.proto.Profile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class ProfileCodecTest {

    private static final long MIB = 1024 * 1024;

    @Test
    void encodedProfile_decodesToTheSame() throws Exception {
        Profile profile = HandBuilt.heap(1, 0x40_0000).sample(List.of("main.f", "main.main"), 1, 2, 3, 4).build();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        ProfileCodec.encode(profile, file);

        assertEquals(0x1f, file.toByteArray()[0] & 0xff, "gzip-compressed, as Go writes it");
        assertEquals(profile, ProfileCodec.decode(new ByteArrayInputStream(file.toByteArray()), MIB));
    }

    @Test
    void uncompressedProfile_isReadToo() throws Exception {
        Profile profile = new HandBuilt(1, 0).types("goroutine/count").sample(List.of("main.main"), 7).build();

        assertEquals(profile, ProfileCodec.decode(new ByteArrayInputStream(profile.toByteArray()), MIB));
    }

    @Test
    void gzipBombOfOneHugeString_isRefusedAtTheCap() throws Exception {
        // field 6 (string_table), a length of 512 MiB, then that many bytes: 0.5 MB compressed
        byte[] bomb = gzip(out -> {
            out.write(new byte[] {0x32, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x02});
            repeat(out, (byte) 'a', 512 * MIB);
        });

        ProfileTooLargeException e = assertThrows(ProfileTooLargeException.class,
                () -> ProfileCodec.decode(new ByteArrayInputStream(bomb), 4 * MIB));
        assertEquals(4 * MIB, e.maxBytes());
    }

    @Test
    void gzipBombOfCountlessSmallFields_isRefusedAtTheCap() throws Exception {
        // field 13 (comment) = 1, over and over: every pair of bytes a list element the parser would keep
        byte[] bomb = gzip(out -> {
            byte[] pairs = new byte[64 * 1024];
            for (int i = 0; i < pairs.length; i += 2) {
                pairs[i] = 0x68;
                pairs[i + 1] = 0x01;
            }
            for (long written = 0; written < 256 * MIB; written += pairs.length) {
                out.write(pairs);
            }
        });

        assertThrows(ProfileTooLargeException.class, () -> ProfileCodec.decode(new ByteArrayInputStream(bomb), 2 * MIB));
    }

    @Test
    void profileOfExactlyTheCap_isRead_oneByteMoreIsNot() throws Exception {
        Profile profile = new HandBuilt(1, 0).types("goroutine/count").sample(List.of("main.main"), 7).build();
        byte[] file = gzip(out -> profile.writeTo(out));
        int size = profile.getSerializedSize();

        assertEquals(profile, ProfileCodec.decode(new ByteArrayInputStream(file), size));
        assertThrows(ProfileTooLargeException.class, () -> ProfileCodec.decode(new ByteArrayInputStream(file), size - 1));
    }

    @Test
    void bytesThatAreNoProfile_areMalformed() {
        byte[] noise = new byte[1000];
        Arrays.fill(noise, (byte) 0xff);

        assertThrows(MalformedProfileException.class, () -> ProfileCodec.decode(new ByteArrayInputStream(noise), MIB));
        assertThrows(MalformedProfileException.class,
                () -> ProfileCodec.decode(new ByteArrayInputStream(new byte[] {0x1f, (byte) 0x8b, 1, 2, 3}), MIB));
    }

    @Test
    void cappedBuffer_keepsWhatFits_andRefusesMore() throws Exception {
        CappedBuffer buffer = new CappedBuffer(10);
        buffer.write(new byte[] {1, 2, 3, 4, 5, 6}, 0, 6);
        buffer.write(new byte[] {7, 8, 9, 10}, 0, 4);

        assertThrows(ProfileTooLargeException.class, () -> buffer.write(11));
        try (InputStream in = buffer.contents()) {
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), Arrays.stream(toInts(in.readAllBytes())).boxed().toList());
        }
    }

    private static int[] toInts(byte[] bytes) {
        int[] ints = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ints[i] = bytes[i];
        }
        return ints;
    }

    private interface Writer {
        void write(GZIPOutputStream out) throws IOException;
    }

    private static byte[] gzip(Writer writer) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(file, 64 * 1024)) {
            writer.write(out);
        }
        return file.toByteArray();
    }

    private static void repeat(GZIPOutputStream out, byte b, long count) throws IOException {
        byte[] block = new byte[64 * 1024];
        Arrays.fill(block, b);
        for (long written = 0; written < count; written += block.length) {
            out.write(block, 0, (int) Math.min(block.length, count - written));
        }
    }
}
