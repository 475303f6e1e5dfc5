package com.hydden.diagnostics.grid;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.UnsafeByteOperations;
import com.hydden.diagnostics.grid.api.GridGrpc;
import com.hydden.diagnostics.grid.api.ProfileChunk;
import com.hydden.diagnostics.grid.api.ProfileRequest;
import com.hydden.diagnostics.problem.Problem;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One {@code Profile} call to a node, from first byte to last.
 *
 * <p>Flow control: the call asks the node for {@link #PREFETCH} chunks and for one more each time the HTTP
 * side takes one, so a slow client slows the node and a download holds at most a few chunks in memory.
 *
 * <p>Time limits follow what the node is doing: connecting within the connect timeout, the first chunk
 * within the cpu seconds plus the timeout, then no more than the timeout without progress on either side.
 * A slow but moving transfer is never cut. {@link CallDeadlines} checks them for every call in one sweep.
 *
 * <p>Every call ends drained or cancelled: {@link #abandon} is the only way out other than the node's
 * own end of stream, and the channel lease is released when the call closes.
 */
public final class ProfileDownload {

    private static final Logger LOG = Logger.getLogger(ProfileDownload.class.getName());
    static final int PREFETCH = 4;

    private final ClientCall<ProfileRequest, ProfileChunk> call;
    private final GridChannels.Lease lease;
    private final Duration progressTimeout;
    private final String what;
    private final int cpuSeconds;

    // Chunks, then the closing Status; capacity for every chunk requested but not taken, plus the Status.
    private final BlockingQueue<Object> received = new ArrayBlockingQueue<>(PREFETCH + 1);
    private final CompletableFuture<Void> firstChunk = new CompletableFuture<>();
    private final CompletableFuture<Status> closed = new CompletableFuture<>();
    private final CompletableFuture<Void> allReceived = new CompletableFuture<>();
    private final AtomicReference<Status> abandonedWith = new AtomicReference<>();
    private boolean chunkReceived; // only the call's listener uses it, one event at a time
    private volatile long lastProgressNanos = System.nanoTime();
    private final Duration firstChunkTimeout;
    private final long firstChunkDeadlineNanos;

    private ProfileDownload(GridChannels.Lease lease, CallOptions options, Duration progressTimeout, String what,
                            int cpuSeconds) {
        this.lease = lease;
        this.call = lease.channel().newCall(GridGrpc.getProfileMethod(), options);
        this.progressTimeout = progressTimeout;
        this.what = what;
        this.cpuSeconds = cpuSeconds;
        this.firstChunkTimeout = progressTimeout.plusSeconds(cpuSeconds);
        this.firstChunkDeadlineNanos = System.nanoTime() + firstChunkTimeout.toNanos();
    }

    static ProfileDownload start(GridChannels.Lease lease, CallDeadlines deadlines, ProfileRequest request,
                                 Duration timeout) {
        // Not wait-for-ready: the lease's channel is new or not failed (see GridChannels#lease), so a call
        // fails only on this attempt's own failure, and at once, with its cause.
        String what = request.getProfile() + " profile of node " + request.getClient();
        ProfileDownload download = new ProfileDownload(lease, CallOptions.DEFAULT, timeout, what,
                request.getSeconds());
        download.begin(request);
        deadlines.watch(download);
        return download;
    }

    private void begin(ProfileRequest request) {
        synchronized (this) {
            call.start(new Listener(), new Metadata());
            call.sendMessage(request);
            call.halfClose();
            call.request(PREFETCH);
        }
    }

    /**
     * Completes when the first chunk has arrived, so the answer can be a 200; fails with the
     * {@link com.hydden.diagnostics.problem.ProblemException} to answer instead. When the call's end arrived
     * with the first chunk, {@link #allReceived} completes first.
     */
    public CompletionStage<Void> firstChunk() {
        return firstChunk;
    }

    /**
     * Completes with the call's final status once the node's call is over, however it ended, before
     * {@link #transferTo} can see the end.
     */
    public CompletionStage<Status> closed() {
        return closed;
    }

    /**
     * Completes once the node's call is over and all it sent, its end included, waits for {@link #transferTo}:
     * from then on a transfer never waits for the node.
     */
    public CompletionStage<Void> allReceived() {
        return allReceived;
    }

    /**
     * The profile's size when the node has already sent all of it and the call ended well, before any of it was
     * written: then the answer can say its length up front. Empty while bytes are still to come.
     */
    public OptionalLong completeLength() {
        Object[] queued = received.toArray();
        if (queued.length == 0 || !(queued[queued.length - 1] instanceof Status end) || !end.isOk()) {
            return OptionalLong.empty();
        }
        long length = 0;
        for (int i = 0; i < queued.length - 1; i++) {
            length += ((ProfileChunk) queued[i]).getData().size();
        }
        return OptionalLong.of(length);
    }

    /**
     * Writes the whole profile to {@code out} as it arrives.
     *
     * @throws IOException when the node's stream fails, makes no progress, or {@code out} fails; the call is
     *                     over either way
     */
    public void transferTo(OutputStream out) throws IOException {
        boolean ended = false;
        PassThrough bytes = new PassThrough(out);
        try {
            while (true) {
                Object next = received.take();
                if (next instanceof ProfileChunk chunk) {
                    request(1); // before writing, so the node's next chunk travels while this one is written
                    // Not ByteString.writeTo(OutputStream): for an array-backed string that copies the bytes.
                    UnsafeByteOperations.unsafeWriteTo(chunk.getData(), bytes);
                    out.flush();
                    lastProgressNanos = System.nanoTime();
                } else {
                    ended = true;
                    Status end = (Status) next;
                    if (!end.isOk()) {
                        throw new IOException("stream from node failed: " + end.getCode() + " " + end.getDescription());
                    }
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while streaming the " + what);
        } finally {
            if (!ended) {
                abandon(Status.CANCELLED.withDescription("the HTTP client stopped receiving"));
            }
        }
    }

    /** Hands a chunk's bytes to the stream as they are; the stream only reads them. */
    private static final class PassThrough extends ByteOutput {
        private final OutputStream out;

        PassThrough(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(byte value) throws IOException {
            out.write(value);
        }

        @Override
        public void write(byte[] value, int offset, int length) throws IOException {
            out.write(value, offset, length);
        }

        @Override
        public void writeLazy(byte[] value, int offset, int length) throws IOException {
            out.write(value, offset, length);
        }

        @Override
        public void write(ByteBuffer value) throws IOException {
            if (value.hasArray()) {
                out.write(value.array(), value.arrayOffset() + value.position(), value.remaining());
            } else {
                byte[] copy = new byte[value.remaining()];
                value.duplicate().get(copy);
                out.write(copy);
            }
        }

        @Override
        public void writeLazy(ByteBuffer value) throws IOException {
            write(value);
        }
    }

    /**
     * The caller holds this download back on purpose (it is writing another one first) and will read it:
     * counts as progress, so the no-progress timer does not cut a node that is only waiting for its turn.
     */
    public void keepWaiting() {
        lastProgressNanos = System.nanoTime();
    }

    /** Cancels the call unless it has ended; the first reason given is the one reported. */
    public void abandon(Status why) {
        if (abandonedWith.compareAndSet(null, why)) {
            synchronized (this) {
                call.cancel(why.getDescription(), null);
            }
        }
    }

    private synchronized void request(int chunks) {
        call.request(chunks);
    }

    /** Cuts the call once it is past a time limit: no first chunk in time, or no progress for the timeout. */
    void checkTime(long nowNanos) {
        if (closed.isDone()) {
            return;
        }
        if (!firstChunk.isDone()) {
            if (nowNanos - firstChunkDeadlineNanos > 0) {
                abandon(Status.DEADLINE_EXCEEDED.withDescription("no data within " + firstChunkTimeout));
            }
        } else if (nowNanos - lastProgressNanos > progressTimeout.toNanos()) {
            abandon(Status.DEADLINE_EXCEEDED.withDescription("no progress for " + progressTimeout));
        }
    }

    private final class Listener extends ClientCall.Listener<ProfileChunk> {

        @Override
        public void onMessage(ProfileChunk chunk) {
            lastProgressNanos = System.nanoTime();
            received.add(chunk);
            if (!chunkReceived) {
                chunkReceived = true;
                // after the events that came with it: a profile that is whole by then is answered without a writer
                CallbackThreads.afterEvents(() -> firstChunk.complete(null));
            }
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            lease.release();
            Status abandoned = abandonedWith.get();
            Status end = abandoned != null ? abandoned : status;
            // What waits for the end (places given back) is done before the reader can take it: the answer's last
            // byte never goes out while its call still holds a place, so a caller's next request finds it free.
            closed.complete(end);
            received.add(end);
            if (!end.isOk()) {
                // An offline node is routine; a broken transfer or a TLS failure (a certificate to renew or
                // trust, a name to fix) is for an operator to look at.
                Level level = chunkReceived || GridStatus.isTlsFailure(end) ? Level.WARNING : Level.INFO;
                LOG.log(level, () -> what + " ended with " + GridStatus.describe(end));
            }
            if (!chunkReceived) {
                firstChunk.completeExceptionally(end.isOk()
                        ? Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "profiling-failed",
                                "the node returned an empty profile").exception()
                        : GridStatus.toProblem(end, cpuSeconds));
            }
            allReceived.complete(null);
        }
    }
}
