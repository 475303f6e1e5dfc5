package com.hydden.diagnostics.demo;

import com.hydden.diagnostics.grid.api.ProfileChunk;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** A server call whose readiness and cancellation the test decides. */
final class FakeCall extends ServerCallStreamObserver<ProfileChunk> {
    final List<ProfileChunk> chunks = new ArrayList<>();
    boolean ready;
    boolean cancelled;
    boolean completed;
    Throwable error;
    Runnable onReady;
    Runnable onCancel;
    private int readyForChunks = -1;

    /** Ready now, and not ready again after {@code count} chunks. */
    void becomesReadyOnceFor(int count) {
        readyForChunks = count;
        onReady.run();
        readyForChunks = -1;
    }

    void cancel() {
        cancelled = true;
        onCancel.run();
    }

    byte[] joined() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunks.forEach(c -> out.writeBytes(c.getData().toByteArray()));
        return out.toByteArray();
    }

    @Override
    public boolean isReady() {
        return ready && readyForChunks != 0;
    }

    @Override
    public void onNext(ProfileChunk chunk) {
        chunks.add(chunk);
        if (readyForChunks > 0) {
            readyForChunks--;
        }
    }

    @Override
    public void onError(Throwable t) {
        error = t;
    }

    @Override
    public void onCompleted() {
        completed = true;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void setOnCancelHandler(Runnable handler) {
        onCancel = handler;
    }

    @Override
    public void setOnReadyHandler(Runnable handler) {
        onReady = handler;
    }

    @Override
    public void setCompression(String compression) {
    }

    @Override
    public void request(int count) {
    }

    @Override
    public void setMessageCompression(boolean enable) {
    }

    @Override
    public void disableAutoInboundFlowControl() {
    }
}
