package com.hydden.diagnostics.demo;

import com.google.protobuf.ByteString;
import com.hydden.diagnostics.grid.api.ProfileChunk;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * Sends one profile file as chunks of at most 64 KiB, only while the call is ready (gRPC flow control: a
 * slow client must not make the node buffer the whole file), and nothing once the call is cancelled.
 * {@link #send} and {@link #fail} may come from any thread; the handlers are registered on creation
 * because gRPC accepts them only while the service method runs.
 */
final class ChunkStream {

    static final int MAX_CHUNK_BYTES = 64 * 1024;

    private final ServerCallStreamObserver<ProfileChunk> out;
    private Runnable cancelAction = () -> { };
    private byte[] file;
    private int offset;
    private boolean done;

    ChunkStream(ServerCallStreamObserver<ProfileChunk> out) {
        this.out = out;
        out.setOnCancelHandler(this::cancelled);
        out.setOnReadyHandler(this::drain);
    }

    /** Runs {@code action} when the call is cancelled, at once if it already is. */
    void onCancel(Runnable action) {
        synchronized (this) {
            if (!out.isCancelled()) {
                cancelAction = action;
                return;
            }
        }
        action.run();
    }

    synchronized void send(byte[] file) {
        this.file = file;
        drain();
    }

    synchronized void fail(Status status) {
        if (!done && !out.isCancelled()) {
            done = true;
            out.onError(status.asRuntimeException());
        }
    }

    private synchronized void drain() {
        if (file == null || done || out.isCancelled()) {
            return;
        }
        while (offset < file.length && out.isReady()) {
            int length = Math.min(MAX_CHUNK_BYTES, file.length - offset);
            out.onNext(ProfileChunk.newBuilder().setData(ByteString.copyFrom(file, offset, length)).build());
            offset += length;
        }
        if (offset == file.length) {
            done = true;
            out.onCompleted();
        }
    }

    private void cancelled() {
        Runnable action;
        synchronized (this) {
            action = cancelAction;
        }
        action.run();
    }
}
