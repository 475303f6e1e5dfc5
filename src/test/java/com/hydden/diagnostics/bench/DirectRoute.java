package com.hydden.diagnostics.bench;

import com.hydden.diagnostics.grid.api.GridGrpc;
import com.hydden.diagnostics.grid.api.ProfileChunk;
import com.hydden.diagnostics.grid.api.ProfileRequest;
import io.grpc.ManagedChannel;
import io.grpc.okhttp.OkHttpChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's own gRPC API over loopback, with grpc-okhttp as the gateway uses it (same 1 MiB flow-control
 * window: with grpc-okhttp's 64 KiB default the direct route would be the slower one for large profiles, and
 * the ratio would flatter the gateway): the baseline. Calls go round-robin over {@code channels} channels
 * (connections); one, except for many held calls (see bench/README).
 */
final class DirectRoute implements Route {

    /** The gateway's window (GridChannels). */
    static final int FLOW_CONTROL_WINDOW = 1 << 20;

    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<GridGrpc.GridStub> stubs = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    DirectRoute(String nodeHost, int nodePort, int channels) {
        for (int i = 0; i < channels; i++) {
            ManagedChannel channel = OkHttpChannelBuilder.forAddress(nodeHost, nodePort)
                    .usePlaintext()
                    .flowControlWindow(FLOW_CONTROL_WINDOW)
                    .build();
            this.channels.add(channel);
            stubs.add(GridGrpc.newStub(channel));
        }
    }

    @Override
    public String name() {
        return "direct";
    }

    @Override
    public CompletableFuture<Long> fetch(String client) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        ProfileRequest request = ProfileRequest.newBuilder()
                .setClient(client).setModule("grid.client").setProfile("heap").build();
        stubs.get(Math.floorMod(next.getAndIncrement(), stubs.size())).profile(request, new StreamObserver<>() {
            private long bytes;

            @Override
            public void onNext(ProfileChunk chunk) {
                bytes += chunk.getData().size();
            }

            @Override
            public void onError(Throwable failure) {
                done.completeExceptionally(failure);
            }

            @Override
            public void onCompleted() {
                done.complete(bytes);
            }
        });
        return done;
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        try {
            for (ManagedChannel channel : channels) {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
