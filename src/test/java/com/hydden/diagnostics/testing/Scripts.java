package com.hydden.diagnostics.testing;

import com.google.protobuf.ByteString;
import com.hydden.diagnostics.grid.api.ProfileChunk;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Node behaviours the tests combine. Every sender honours gRPC flow control, as a Go node does. */
public final class Scripts {

    public static final int CHUNK = 64 * 1024;

    private Scripts() {
    }

    /** Answers with {@code body} in chunks of at most 64 KiB. */
    public static TestNode.Script answer(byte[] body) {
        return (request, out) -> send(out, body, body.length, null);
    }

    /** Answers with the first {@code upTo} bytes of {@code body}, then fails with {@code status}. */
    public static TestNode.Script failAfter(byte[] body, int upTo, Status status) {
        return (request, out) -> send(out, body, upTo, status);
    }

    public static TestNode.Script fail(Status status) {
        return (request, out) -> out.onError(status.asRuntimeException());
    }

    /**
     * A cpu profiler whose sampling window ends when the test says: each call waits (at most 30 s) for one
     * permit of {@code windowEnds}, then answers {@code body}; {@code onCancel} runs when the call is cancelled.
     */
    public static TestNode.Script sampleUntilReleased(byte[] body, Semaphore windowEnds, Runnable onCancel) {
        return (request, out) -> {
            out.setOnCancelHandler(onCancel);
            new Thread(() -> {
                try {
                    if (!windowEnds.tryAcquire(30, TimeUnit.SECONDS)) {
                        out.onError(Status.ABORTED.withDescription("test never ended the window").asRuntimeException());
                    } else if (!out.isCancelled()) {
                        // small, as cpu profiles are: sent without waiting for the client's window
                        for (int offset = 0; offset < body.length; offset += CHUNK) {
                            int n = Math.min(CHUNK, body.length - offset);
                            out.onNext(ProfileChunk.newBuilder().setData(ByteString.copyFrom(body, offset, n)).build());
                        }
                        out.onCompleted();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "test-node-sampling").start();
        };
    }

    /**
     * Streams {@code size} bytes (a multiple of {@link #CHUNK}) it never holds whole, as flow control allows:
     * chunk k is {@link #generatedChunk}{@code (seed, k)}. For tests that bound the gateway's heap.
     */
    public static TestNode.Script generated(int seed, int size) {
        return (request, out) -> {
            int[] next = {0};
            int chunks = size / CHUNK;
            Runnable drain = () -> {
                while (out.isReady() && next[0] < chunks && !out.isCancelled()) {
                    out.onNext(ProfileChunk.newBuilder().setData(ByteString.copyFrom(generatedChunk(seed, next[0]++))).build());
                }
                if (next[0] == chunks && !out.isCancelled()) {
                    next[0]++;
                    out.onCompleted();
                }
            };
            out.setOnReadyHandler(drain);
            drain.run();
        };
    }

    public static byte[] generatedChunk(int seed, int index) {
        byte[] bytes = new byte[CHUNK];
        new Random(seed * 1_000_003L + index).nextBytes(bytes);
        return bytes;
    }

    /** Never answers; the call stays open until the client cancels it. */
    public static TestNode.Script hang(Runnable onCancel) {
        return (request, out) -> out.setOnCancelHandler(onCancel);
    }

    /**
     * Sends the first {@code head} bytes, waits (at most 30 s) until {@code release} opens, then sends the
     * rest: lets a test see bytes arrive while the node is still sending.
     */
    public static void sendThenAwait(ServerCallStreamObserver<ProfileChunk> out, byte[] body, int head,
                                     CountDownLatch release) {
        send(out, body, head, null, () -> {
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    out.onError(Status.ABORTED.withDescription("test never released the node").asRuntimeException());
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (int offset = head; offset < body.length; offset += CHUNK) {
                int n = Math.min(CHUNK, body.length - offset);
                out.onNext(ProfileChunk.newBuilder().setData(ByteString.copyFrom(body, offset, n)).build());
            }
            out.onCompleted();
        });
    }

    /**
     * Sends {@code body[0, upTo)} as flow control allows, then completes (status null) or fails. Runs on
     * gRPC's onReady callbacks, so a slow reader stalls the node rather than filling its memory.
     */
    static void send(ServerCallStreamObserver<ProfileChunk> out, byte[] body, int upTo, Status status) {
        send(out, body, upTo, status, null);
    }

    private static void send(ServerCallStreamObserver<ProfileChunk> out, byte[] body, int upTo, Status status,
                             Runnable then) {
        AtomicBoolean done = new AtomicBoolean();
        int[] offset = {0};
        Runnable drain = () -> {
            while (out.isReady() && offset[0] < upTo && !out.isCancelled()) {
                int n = Math.min(CHUNK, upTo - offset[0]);
                out.onNext(ProfileChunk.newBuilder().setData(ByteString.copyFrom(body, offset[0], n)).build());
                offset[0] += n;
            }
            if (offset[0] >= upTo && !out.isCancelled() && done.compareAndSet(false, true)) {
                if (then != null) {
                    new Thread(then, "test-node-continuation").start();
                } else if (status == null) {
                    out.onCompleted();
                } else {
                    out.onError(status.asRuntimeException());
                }
            }
        };
        out.setOnReadyHandler(drain);
        drain.run();
    }
}
