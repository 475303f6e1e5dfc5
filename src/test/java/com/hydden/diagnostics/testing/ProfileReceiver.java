package com.hydden.diagnostics.testing;

import com.hydden.diagnostics.grid.api.ProfileChunk;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;

/** The receiving end of one Profile call made straight to a node: the bytes it sent, and how the call ended. */
public final class ProfileReceiver implements StreamObserver<ProfileChunk> {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<Status> end = new CompletableFuture<>();

    /** The call's final status: OK, or the status it failed with. */
    public CompletableFuture<Status> end() {
        return end;
    }

    /** The bytes received so far. */
    public synchronized byte[] bytes() {
        return bytes.toByteArray();
    }

    @Override
    public synchronized void onNext(ProfileChunk chunk) {
        bytes.writeBytes(chunk.getData().toByteArray());
    }

    @Override
    public void onError(Throwable t) {
        end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
        end.complete(Status.OK);
    }
}
