package com.hydden.diagnostics.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RunBytesTest {

    @Test
    void everyReader_getsEveryByte_andReadChunksAreDropped() throws Exception {
        RunBytes bytes = new RunBytes(1_000);
        RunBytes.Reader a = bytes.reader();
        RunBytes.Reader b = bytes.reader();
        bytes.seal();
        bytes.append(new byte[]{1, 2});
        bytes.append(new byte[]{3});
        bytes.complete();

        assertArrayEquals(new byte[]{1, 2, 3}, read(a));
        assertEquals(3, bytes.heldBytes(), "b has read nothing yet");
        assertArrayEquals(new byte[]{1, 2, 3}, read(b));
        assertEquals(0, bytes.heldBytes());
    }

    @Test
    void aReaderTooFarBehind_isCut_theOthersGoOn() throws Exception {
        RunBytes bytes = new RunBytes(100);
        RunBytes.Reader slow = bytes.reader();
        RunBytes.Reader fast = bytes.reader();
        bytes.seal();
        ByteArrayOutputStream fastOut = new ByteArrayOutputStream();
        Semaphore written = new Semaphore(0);
        CompletableFuture<Void> fastDone = CompletableFuture.runAsync(() -> {
            try {
                fast.transferTo(new OutputStream() {
                    @Override
                    public void write(int b) {
                        fastOut.write(b);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        fastOut.write(b, off, len);
                        written.release();
                    }
                });
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        for (int i = 0; i < 5; i++) {
            bytes.append(new byte[60]);
            // the fast reader keeps up: it has taken each chunk before the next comes
            assertTrue(written.tryAcquire(10, TimeUnit.SECONDS), "the fast reader took no chunk within 10 s");
        }
        bytes.complete();
        fastDone.get(10, TimeUnit.SECONDS);

        assertEquals(300, fastOut.size());
        IOException cut = assertThrows(IOException.class, () -> slow.transferTo(OutputStream.nullOutputStream()));
        assertEquals(true, CpuRuns.isTooSlow(cut));
        assertEquals(0, bytes.heldBytes());
    }

    @Test
    void aFailedRun_failsItsReadersAfterTheBytesTheyHad() {
        RunBytes bytes = new RunBytes(1_000);
        RunBytes.Reader r = bytes.reader();
        bytes.seal();
        bytes.append(new byte[]{9});
        bytes.fail(new IOException("node went away"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IOException e = assertThrows(IOException.class, () -> r.transferTo(out));
        assertEquals("node went away", e.getMessage());
        assertArrayEquals(new byte[]{9}, out.toByteArray());
    }

    @Test
    void beforeSealing_nothingIsDropped() {
        RunBytes bytes = new RunBytes(10);
        bytes.append(new byte[50]);
        assertEquals(50, bytes.heldBytes());
        bytes.seal();
        assertEquals(0, bytes.heldBytes(), "a run no reader here wants holds nothing");
    }

    private static byte[] read(RunBytes.Reader reader) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        reader.transferTo(out);
        return out.toByteArray();
    }
}
