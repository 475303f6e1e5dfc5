package com.hydden.diagnostics.grid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.grid.api.ProfileRequest;
import com.hydden.diagnostics.testing.Scripts;
import com.hydden.diagnostics.testing.TestNode;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One profile call against a real node on loopback: its length when whole, and its time limits. */
class ProfileDownloadTest {

    private TestNode node;
    private GridChannels pool;
    private CallDeadlines deadlines;

    @BeforeEach
    void start() {
        node = new TestNode();
        pool = new GridChannels();
        pool.idleTimeout = Duration.ofMinutes(10);
        pool.connectTimeout = Duration.ofSeconds(2);
        pool.maxChannels = 10;
        pool.tlsConfig = "false";
        pool.tlsTrust = Optional.empty();
        pool.tlsCert = Optional.empty();
        pool.tlsKey = Optional.empty();
        pool.start();
        deadlines = new CallDeadlines(pool.timers());
    }

    @AfterEach
    void stop() throws InterruptedException {
        pool.stop();
        node.close();
    }

    @Test
    void aProfileSentWhole_saysItsLengthBeforeItIsWritten_andWritesTheSameBytes() throws Exception {
        byte[] body = bytes(3 * Scripts.CHUNK + 123);
        node.script("whole", Scripts.answer(body));
        ProfileDownload download = start("whole", Duration.ofSeconds(5));
        download.allReceived().toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertEquals(OptionalLong.of(body.length), download.completeLength());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        download.transferTo(out);
        assertArrayEquals(body, out.toByteArray());
    }

    @Test
    void whatWaitsForTheEnd_isDoneBeforeTheTransferReturns() throws Exception {
        byte[] body = bytes(Scripts.CHUNK + 7);
        node.script("ending", Scripts.answer(body));
        ProfileDownload download = start("ending", Duration.ofSeconds(5));
        CountDownLatch transferReturned = new CountDownLatch(1);
        AtomicBoolean returnedFirst = new AtomicBoolean();
        // Holds the end back for up to a second: if the transfer could see the end before this ran, it would
        // return within that second, and this would see it.
        download.closed().whenComplete((end, never) -> {
            try {
                returnedFirst.set(transferReturned.await(1, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        download.transferTo(out);
        transferReturned.countDown();

        assertArrayEquals(body, out.toByteArray());
        assertFalse(returnedFirst.get(), "the transfer returned before what waits for the call's end had run");
    }

    @Test
    void aProfileStillArriving_hasNoLengthYet() throws Exception {
        byte[] body = bytes(2 * Scripts.CHUNK);
        CountDownLatch rest = new CountDownLatch(1);
        node.script("arriving", (request, out) -> Scripts.sendThenAwait(out, body, Scripts.CHUNK, rest));
        ProfileDownload download = start("arriving", Duration.ofSeconds(5));
        download.firstChunk().toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertEquals(OptionalLong.empty(), download.completeLength());
        rest.countDown();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        download.transferTo(out);
        assertArrayEquals(body, out.toByteArray());
    }

    @Test
    void aFailedProfile_hasNoLength() throws Exception {
        node.script("failing", Scripts.failAfter(bytes(Scripts.CHUNK), Scripts.CHUNK, Status.INTERNAL));
        ProfileDownload download = start("failing", Duration.ofSeconds(5));
        Status end = download.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertEquals(Status.Code.INTERNAL, end.getCode());
        assertEquals(OptionalLong.empty(), download.completeLength());
    }

    @Test
    void noFirstChunkInTime_isCutByTheSweep() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        node.script("silent", Scripts.hang(cancelled::countDown));
        ProfileDownload download = start("silent", Duration.ofMillis(300));

        Status end = download.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(Status.Code.DEADLINE_EXCEEDED, end.getCode());
        assertEquals("no data within PT0.3S", end.getDescription());
        assertTrue(cancelled.await(10, TimeUnit.SECONDS), "the node's call was not cancelled within 10 s");
    }

    @Test
    void aTransferWithoutProgress_isCutByTheSweep() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        byte[] body = bytes(2 * Scripts.CHUNK);
        node.script("stalled", (request, out) -> Scripts.sendThenAwait(out, body, Scripts.CHUNK, never));
        ProfileDownload download = start("stalled", Duration.ofMillis(300));
        download.firstChunk().toCompletableFuture().get(10, TimeUnit.SECONDS);

        Status end = download.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(Status.Code.DEADLINE_EXCEEDED, end.getCode());
        assertEquals("no progress for PT0.3S", end.getDescription());
    }

    private ProfileDownload start(String client, Duration timeout) {
        ProfileRequest request = ProfileRequest.newBuilder().setClient(client).setModule("grid.client")
                .setProfile("heap").build();
        return ProfileDownload.start(pool.lease(new NodeAddress("127.0.0.1", node.port())), deadlines, request,
                timeout);
    }

    private static byte[] bytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }
}
