package com.hydden.diagnostics.grid;

import com.hydden.diagnostics.cluster.Slots;
import com.hydden.diagnostics.problem.Problem;
import com.hydden.diagnostics.problem.ProblemException;
import com.hydden.diagnostics.grid.api.GridGrpc;
import com.hydden.diagnostics.grid.api.ProfileRequest;
import com.hydden.diagnostics.grid.api.Stats;
import com.hydden.diagnostics.grid.api.StatsRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Starts calls to nodes with the configured time limits, at most {@code diagnostics.pprof.max-per-node} at once per
 * node across every instance sharing the cluster state: what a node serves is what counts, however the requests
 * reached it (one shared cpu run is one call).
 */
@ApplicationScoped
public class NodeCalls {

    static final String MAX_PER_NODE_KEY = "diagnostics.pprof.max-per-node";
    static final String RETRY_AFTER_SECONDS = "5";
    private static final Logger LOG = Logger.getLogger(NodeCalls.class.getName());

    @Inject
    GridChannels channels;

    @Inject
    Slots slots;

    @Inject
    @ConfigProperty(name = MAX_PER_NODE_KEY)
    int maxPerNode;

    @Inject
    @ConfigProperty(name = "diagnostics.grid.timeout")
    Duration timeout;

    private Function<NodeAddress, GridChannels.Lease> leases;
    private CallDeadlines deadlines;

    @PostConstruct
    void check() {
        GridChannels.requirePositive("diagnostics.grid.timeout", timeout);
        if (maxPerNode < 1) {
            throw new IllegalArgumentException(MAX_PER_NODE_KEY + ": must be at least 1, is " + maxPerNode);
        }
        leases = channels.leases();
        deadlines = new CallDeadlines(channels.timers());
    }

    void loadAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // observing startup creates the bean now, so a bad configuration stops the deployment
    }

    /**
     * Asks the node at {@code address} for a profile. {@code seconds} is the cpu sampling time, 0 for the
     * other profile types. The node's place is given back when the call is over.
     *
     * @throws ProblemException 429 {@code node-busy} when the node already serves its limit of calls
     */
    public ProfileDownload profile(NodeAddress address, String client, String module, String profile, int seconds) {
        ProfileRequest request = ProfileRequest.newBuilder()
                .setClient(client)
                .setModule(module)
                .setProfile(profile)
                .setSeconds(seconds)
                .build();
        String slot = "node/" + client;
        if (!slots.tryAcquire(slot, maxPerNode)) {
            throw new ProblemException(Problem.of(Response.Status.TOO_MANY_REQUESTS, "node-busy",
                    "node '" + client + "' already serves " + maxPerNode + " profile requests; retry later"),
                    Map.of("Retry-After", RETRY_AFTER_SECONDS));
        }
        ProfileDownload download;
        try {
            download = ProfileDownload.start(leases.apply(address), deadlines, request, timeout);
        } catch (RuntimeException e) {
            slots.release(slot);
            throw e;
        }
        download.closed().whenComplete((end, never) -> slots.release(slot));
        return download;
    }

    /**
     * Asks the node at {@code address} for its statistics, within the timeout (a small answer: one deadline
     * fits). The future fails with the {@link com.hydden.diagnostics.problem.ProblemException} the node's
     * status maps to; cancelling it cancels the call.
     */
    public CompletableFuture<NodeStats> stats(NodeAddress address) {
        GridChannels.Lease lease = leases.apply(address);
        ClientCall<StatsRequest, Stats> call = lease.channel().newCall(GridGrpc.getGetStatsMethod(),
                CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS));
        CompletableFuture<NodeStats> result = new CompletableFuture<>();
        ClientCalls.asyncUnaryCall(call, StatsRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(Stats stats) {
                result.complete(NodeStats.of(stats));
            }

            @Override
            public void onError(Throwable failure) {
                lease.release();
                Status status = Status.fromThrowable(failure);
                LOG.log(GridStatus.isTlsFailure(status) ? Level.WARNING : Level.INFO,
                        () -> "stats of " + address + " ended with " + GridStatus.describe(status));
                result.completeExceptionally(GridStatus.toProblem(status, 0));
            }

            @Override
            public void onCompleted() {
                lease.release();
            }
        });
        result.whenComplete((stats, failure) -> {
            if (result.isCancelled()) {
                call.cancel("the caller no longer needs the stats", null);
            }
        });
        return result;
    }
}
