package com.hydden.diagnostics.testing;

import com.hydden.diagnostics.grid.api.GridGrpc;
import com.hydden.diagnostics.grid.api.ProfileChunk;
import com.hydden.diagnostics.grid.api.ProfileRequest;
import com.hydden.diagnostics.grid.api.Stats;
import com.hydden.diagnostics.grid.api.StatsRequest;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.okhttp.OkHttpServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real gRPC grid node on loopback whose answers each test scripts. One server stands in for many
 * nodes: the request's {@code client} picks the script, so every test gets node IDs of its own.
 */
public final class TestNode implements AutoCloseable {

    /** What a node does with one Profile call. */
    @FunctionalInterface
    public interface Script {
        void profile(ProfileRequest request, ServerCallStreamObserver<ProfileChunk> out) throws Exception;
    }

    /** What the node answers to GetStats (for all its node IDs: the call names none). */
    @FunctionalInterface
    public interface StatsScript {
        void stats(StreamObserver<Stats> out);
    }

    private static final StatsScript DEFAULT_STATS = out -> {
        out.onNext(Stats.newBuilder().setNID("test").setComponent("grid.client").build());
        out.onCompleted();
    };

    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private volatile StatsScript stats = DEFAULT_STATS;
    private final java.util.concurrent.atomic.AtomicLong statsCalls = new java.util.concurrent.atomic.AtomicLong();
    private final Map<String, BlockingQueue<ProfileRequest>> requests = new ConcurrentHashMap<>();
    private final Server server;
    private final java.util.concurrent.atomic.AtomicLong profileCalls = new java.util.concurrent.atomic.AtomicLong();

    public TestNode() {
        this(0);
    }

    public TestNode(int port) {
        this(port, InsecureServerCredentials.create());
    }

    /** A node speaking TLS (or plaintext) as {@code credentials} say, on a free port. */
    public TestNode(ServerCredentials credentials) {
        this(0, credentials);
    }

    public TestNode(int port, ServerCredentials credentials) {
        try {
            server = OkHttpServerBuilder.forPort(port, credentials)
                    .addService(new Service())
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getPort();
    }

    /** Profile calls this node has received, for any client. */
    public long profileCalls() {
        return profileCalls.get();
    }

    /** Replaces the node's GetStats answer. */
    public void stats(StatsScript script) {
        stats = script;
    }

    /** GetStats calls this node has received. */
    public long statsCalls() {
        return statsCalls.get();
    }

    public void script(String client, Script script) {
        scripts.put(client, script);
        requests.put(client, new LinkedBlockingQueue<>());
    }

    /** Profile requests received for {@code client} not yet taken with {@link #nextRequest}. */
    public int untakenRequests(String client) {
        return requests.get(client).size();
    }

    /** The next Profile request the node received for {@code client}, waiting at most 10 s. */
    public ProfileRequest nextRequest(String client) throws InterruptedException {
        ProfileRequest request = requests.get(client).poll(10, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("node " + client + " received no Profile call within 10 s");
        }
        return request;
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private final class Service extends GridGrpc.GridImplBase {

        @Override
        public void getStats(StatsRequest request, StreamObserver<Stats> out) {
            statsCalls.incrementAndGet();
            stats.stats(out);
        }

        @Override
        public void profile(ProfileRequest request, StreamObserver<ProfileChunk> out) {
            profileCalls.incrementAndGet();
            Script script = scripts.get(request.getClient());
            if (script == null) {
                out.onError(Status.NOT_FOUND.withDescription("not this node").asRuntimeException());
                return;
            }
            requests.get(request.getClient()).add(request);
            try {
                script.profile(request, (ServerCallStreamObserver<ProfileChunk>) out);
            } catch (Exception e) {
                out.onError(Status.INTERNAL.withDescription("script failed: " + e).asRuntimeException());
            }
        }
    }
}
