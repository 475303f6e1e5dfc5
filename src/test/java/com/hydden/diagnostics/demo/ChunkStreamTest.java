package com.hydden.diagnostics.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkStreamTest {

    private final FakeCall call = new FakeCall();
    private final ChunkStream stream = new ChunkStream(call);

    @Test
    void send_splitsTheFileIntoChunksOfAtMost64KiB() {
        byte[] file = randomBytes(3 * 65536 + 100);
        call.ready = true;

        stream.send(file);

        assertEquals(List.of(65536, 65536, 65536, 100), call.chunks.stream().map(c -> c.getData().size()).toList());
        assertArrayEquals(file, call.joined());
        assertTrue(call.completed);
    }

    @Test
    void send_waitsWhileTheCallIsNotReady() {
        byte[] file = randomBytes(2 * 65536);

        stream.send(file);
        assertEquals(0, call.chunks.size());

        call.ready = true;
        call.becomesReadyOnceFor(1);
        assertEquals(1, call.chunks.size());
        assertFalse(call.completed);

        call.onReady.run();
        assertArrayEquals(file, call.joined());
        assertTrue(call.completed);
    }

    @Test
    void cancelledCall_getsNothingMore_andRunsTheCancelAction() {
        List<String> actions = new ArrayList<>();
        stream.onCancel(() -> actions.add("stop sampling"));

        call.cancel();
        call.ready = true;
        stream.send(randomBytes(10));
        stream.fail(Status.INTERNAL);

        assertEquals(List.of("stop sampling"), actions);
        assertEquals(0, call.chunks.size());
        assertFalse(call.completed);
        assertNull(call.error);
    }

    @Test
    void cancelActionAddedAfterTheCancel_runsAtOnce() {
        List<String> actions = new ArrayList<>();
        call.cancel();

        stream.onCancel(() -> actions.add("stop sampling"));

        assertEquals(List.of("stop sampling"), actions);
    }

    @Test
    void fail_endsTheCallWithTheStatus_once() {
        stream.fail(Status.RESOURCE_EXHAUSTED);
        stream.fail(Status.INTERNAL);

        assertEquals(Status.Code.RESOURCE_EXHAUSTED, Status.fromThrowable(call.error).getCode());
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }
}
