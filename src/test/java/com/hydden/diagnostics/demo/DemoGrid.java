package com.hydden.diagnostics.demo;

import com.hydden.diagnostics.grid.api.DiskStats;
import com.hydden.diagnostics.grid.api.GridGrpc;
import com.hydden.diagnostics.grid.api.ProfileChunk;
import com.hydden.diagnostics.grid.api.ProfileRequest;
import com.hydden.diagnostics.grid.api.Runtime;
import com.hydden.diagnostics.grid.api.Stats;
import com.hydden.diagnostics.grid.api.StatsRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/** The grid protocol as a Go node serves it, answered with profiles of this JVM. */
final class DemoGrid extends GridGrpc.GridImplBase {

    static final String MODULE = "grid.client";
    static final String VERSION = "demo-1";
    private static final Duration DEFAULT_CPU_DURATION = Duration.ofSeconds(30);

    private final String nodeId;
    private final ExecutorService cpuProfiling;
    private final Instant started = Instant.now();
    private final JvmProfiles profiles = new JvmProfiles();
    private final CpuSampler sampler = new CpuSampler();
    private final AtomicBoolean cpuBusy = new AtomicBoolean();

    DemoGrid(String nodeId, ExecutorService cpuProfiling) {
        this.nodeId = nodeId;
        this.cpuProfiling = cpuProfiling;
    }

    boolean cpuProfileRunning() {
        return cpuBusy.get();
    }

    @Override
    public void getStats(StatsRequest request, StreamObserver<Stats> out) {
        File workingDir = new File("").getAbsoluteFile();
        out.onNext(Stats.newBuilder()
                .setNID(nodeId)
                .setComponent(MODULE)
                .setVersion(VERSION)
                .setUptime(Duration.between(started, Instant.now()).toSeconds())
                .setDisk(DiskStats.newBuilder().setTotal(workingDir.getTotalSpace()).setFree(workingDir.getUsableSpace()))
                .setRuntime(Runtime.newBuilder()
                        .setVersion(System.getProperty("java.version"))
                        .setMaxProcs(java.lang.Runtime.getRuntime().availableProcessors())
                        .setArch(System.getProperty("os.arch"))
                        .setOS(System.getProperty("os.name"))
                        .setEnv("demo"))
                .build());
        out.onCompleted();
    }

    @Override
    public void profile(ProfileRequest request, StreamObserver<ProfileChunk> out) {
        ChunkStream stream = new ChunkStream((ServerCallStreamObserver<ProfileChunk>) out);
        if (!request.getClient().equals(nodeId)) {
            stream.fail(Status.NOT_FOUND.withDescription("this is node " + nodeId + ", not " + request.getClient()));
        } else if (!request.getModule().equals(MODULE)) {
            stream.fail(Status.NOT_FOUND.withDescription("unknown module " + request.getModule()));
        } else {
            switch (request.getProfile()) {
                case "cpu" -> cpu(cpuDuration(request), stream);
                case "goroutine" -> snapshot(profiles::goroutine, stream);
                case "threadcreate" -> snapshot(profiles::threadcreate, stream);
                case "heap" -> snapshot(profiles::heap, stream);
                case "allocs" -> snapshot(profiles::allocs, stream);
                case "block" -> snapshot(profiles::block, stream);
                case "mutex" -> snapshot(profiles::mutex, stream);
                default -> stream.fail(Status.INVALID_ARGUMENT.withDescription("unknown profile " + request.getProfile()));
            }
        }
    }

    private void cpu(Duration duration, ChunkStream stream) {
        if (!cpuBusy.compareAndSet(false, true)) {
            stream.fail(Status.RESOURCE_EXHAUSTED.withDescription("a cpu profile is already being taken"));
            return;
        }
        // taken by whichever comes first, the sampling thread or the cancel: a cancel before the sampling starts
        // must free the cpu profiler itself, as the sampling will not run
        AtomicBoolean taken = new AtomicBoolean();
        try {
            Future<?> sampling = cpuProfiling.submit(() -> {
                if (!taken.compareAndSet(false, true)) {
                    return;
                }
                try {
                    stream.send(sampler.sample(duration));
                } catch (InterruptedException e) {
                    // Cancelled: the stream sends nothing more. Anything else interrupting must still end the call.
                    stream.fail(Status.CANCELLED.withDescription("cpu profiling interrupted"));
                } catch (RuntimeException e) {
                    stream.fail(Status.INTERNAL.withDescription("cpu profiling failed: " + e).withCause(e));
                } finally {
                    cpuBusy.set(false);
                }
            });
            stream.onCancel(() -> {
                if (taken.compareAndSet(false, true)) {
                    cpuBusy.set(false);
                } else {
                    sampling.cancel(true);
                }
            });
        } catch (RuntimeException e) {  // the executor is shut down: the node is closing
            cpuBusy.set(false);
            stream.fail(Status.UNAVAILABLE.withDescription("node is shutting down"));
        }
    }

    private static void snapshot(Supplier<byte[]> profile, ChunkStream stream) {
        try {
            stream.send(profile.get());
        } catch (RuntimeException e) {
            stream.fail(Status.INTERNAL.withDescription("profiling failed: " + e).withCause(e));
        }
    }

    private static Duration cpuDuration(ProfileRequest request) {
        return request.getSeconds() == 0
                ? DEFAULT_CPU_DURATION
                : Duration.ofSeconds(Integer.toUnsignedLong(request.getSeconds()));
    }
}
