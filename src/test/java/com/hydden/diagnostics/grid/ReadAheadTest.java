package com.hydden.diagnostics.grid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReadAheadTest {

    private static final int SEGMENT = 8 * 1024; // what okio asks for

    @Test
    void streamingInput_isReadInBlocks_withEveryByteInOrder() throws IOException {
        byte[] profile = random(1 << 20);
        Arrivals socket = new Arrivals();
        socket.arrive(profile); // all of it waiting, as when a node streams faster than it is read

        byte[] read = readAll(new ReadAhead(socket), SEGMENT);

        assertArrayEquals(profile, read);
        // 128 reads of 8 KiB without it; one direct read, then blocks of 64 KiB, then the end
        assertEquals(1 + (profile.length - SEGMENT + ReadAhead.BLOCK - 1) / ReadAhead.BLOCK + 1, socket.reads);
    }

    @Test
    void oddSizedArrivalsAndRequests_keepEveryByteInOrder() throws IOException {
        Random random = new Random(7);
        byte[] profile = random(300_000);
        Arrivals socket = new Arrivals();
        for (int at = 0; at < profile.length; ) {
            int n = Math.min(profile.length - at, 1 + random.nextInt(40_000));
            socket.arrive(Arrays.copyOfRange(profile, at, at + n));
            at += n;
        }
        ReadAhead in = new ReadAhead(socket);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[100_000];
        while (true) {
            int want = random.nextInt(4) == 0 ? 1 : 1 + random.nextInt(buffer.length);
            int n = want == 1 ? oneByte(in, buffer) : in.read(buffer, 0, want);
            if (n == -1) {
                break;
            }
            out.write(buffer, 0, n);
        }
        assertArrayEquals(profile, out.toByteArray());
    }

    @Test
    void blockIsLetGo_whenTheStreamSlowsToSingleReads() throws IOException {
        Arrivals socket = new Arrivals();
        socket.arrive(random(4 * SEGMENT));
        ReadAhead in = new ReadAhead(socket);
        byte[] buffer = new byte[SEGMENT];

        assertEquals(SEGMENT, in.read(buffer, 0, SEGMENT));
        assertTrue(in.holdsBlock(), "a read that filled its request takes a block for the next ones");
        assertEquals(SEGMENT, in.read(buffer, 0, SEGMENT));
        assertEquals(2 * SEGMENT, in.available(), "what the block holds is available");
        readFully(in, buffer, 2 * SEGMENT);

        socket.arrive(new byte[100]); // a ping's worth: the stream has gone quiet
        assertEquals(100, in.read(buffer, 0, SEGMENT));
        assertFalse(in.holdsBlock(), "a quiet connection keeps no block");
        assertEquals(-1, in.read(buffer, 0, SEGMENT));
    }

    @Test
    void readsOfABlockOrMore_goStraightToTheSocket() throws IOException {
        byte[] profile = random(4 * ReadAhead.BLOCK);
        Arrivals socket = new Arrivals();
        socket.arrive(profile);

        byte[] read = readAll(new ReadAhead(socket), 2 * ReadAhead.BLOCK);

        assertArrayEquals(profile, read);
        assertEquals(3, socket.reads, "two reads of two blocks each, then the end");
    }

    private static byte[] readAll(InputStream in, int request) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[request];
        for (int n; (n = in.read(buffer, 0, request)) != -1; ) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static void readFully(InputStream in, byte[] buffer, int length) throws IOException {
        for (int left = length; left > 0; ) {
            left -= in.read(buffer, 0, Math.min(left, buffer.length));
        }
    }

    private static int oneByte(InputStream in, byte[] into) throws IOException {
        int b = in.read();
        if (b == -1) {
            return -1;
        }
        into[0] = (byte) b;
        return 1;
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    /** A socket's input: each read returns at most what has arrived and not been read; the end when nothing has. */
    private static final class Arrivals extends InputStream {
        private final Deque<byte[]> arrived = new ArrayDeque<>();
        private int offset;
        int reads;

        void arrive(byte[] bytes) {
            arrived.add(bytes);
        }

        @Override
        public int read() {
            throw new AssertionError("the transport reads arrays");
        }

        @Override
        public int read(byte[] b, int off, int len) {
            reads++;
            int n = 0;
            while (n < len && !arrived.isEmpty()) {
                byte[] head = arrived.peek();
                int take = Math.min(len - n, head.length - offset);
                System.arraycopy(head, offset, b, off + n, take);
                n += take;
                offset += take;
                if (offset == head.length) {
                    arrived.poll();
                    offset = 0;
                }
            }
            return n == 0 ? -1 : n;
        }

        @Override
        public int available() {
            return arrived.stream().mapToInt(a -> a.length).sum() - offset;
        }
    }
}
