package com.hydden.diagnostics.grid;

import com.hydden.diagnostics.grid.api.GridGrpc;
import com.hydden.diagnostics.grid.api.Stats;
import com.hydden.diagnostics.grid.api.StatsRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Each node's {@code GetStats}, asked beside a profile call and kept for {@link #CACHE_FOR}, so a busy node
 * is asked about once a minute rather than once a request. Answers never fail: when the node cannot say
 * (an error, no answer within {@code diagnostics.grid.timeout}, a node without {@code GetStats}), the answer
 * is empty and the profile goes out without the node's facts. A failure is not kept: the next request asks
 * again.
 */
@ApplicationScoped
public class NodeFacts {

    private static final Logger LOG = Logger.getLogger(NodeFacts.class.getName());
    static final Duration CACHE_FOR = Duration.ofSeconds(60);

    @Inject
    GridChannels channels;

    @Inject
    @ConfigProperty(name = "diagnostics.grid.timeout")
    Duration timeout;

    private Function<NodeAddress, GridChannels.Lease> leases;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    @PostConstruct
    void start() {
        leases = channels.leases();
    }

    /** The node's facts, from the last minute's answer or (shared by concurrent callers) a new question. */
    public CompletableFuture<Optional<NodeStats>> cached(NodeAddress address, String client) {
        long now = System.nanoTime();
        Cached cached = cache.compute(client, (id, old) -> old != null && old.usable(now) ? old : ask(address, client, now));
        return cached.answer;
    }

    /** Asks the node now (for a fact that must be current, such as its uptime) and keeps the answer. */
    public CompletableFuture<Optional<NodeStats>> fresh(NodeAddress address, String client) {
        Cached asked = ask(address, client, System.nanoTime());
        cache.put(client, asked);
        return asked.answer;
    }

    private Cached ask(NodeAddress address, String client, long now) {
        CompletableFuture<Optional<NodeStats>> answer = new CompletableFuture<>();
        GridChannels.Lease lease;
        try {
            lease = leases.apply(address);
        } catch (RuntimeException e) {
            LOG.fine(() -> "GetStats of node " + client + " not asked: " + e);
            answer.complete(Optional.empty());
            return new Cached(answer, now);
        }
        // A unary call with nothing to stream: an absolute deadline is its whole time limit.
        GridGrpc.newStub(lease.channel())
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .getStats(StatsRequest.getDefaultInstance(), new StreamObserver<>() {
                    private Stats stats;

                    @Override
                    public void onNext(Stats value) {
                        stats = value;
                    }

                    @Override
                    public void onError(Throwable t) {
                        lease.release();
                        LOG.fine(() -> "GetStats of node " + client + " failed: " + GridStatus.describe(Status.fromThrowable(t)));
                        answer.complete(Optional.empty());
                    }

                    @Override
                    public void onCompleted() {
                        lease.release();
                        answer.complete(Optional.ofNullable(stats).map(s -> NodeStats.of(s, now, System.nanoTime())));
                    }
                });
        return new Cached(answer, now);
    }

    private record Cached(CompletableFuture<Optional<NodeStats>> answer, long askedNanos) {
        /** Still being asked, or answered with facts less than a minute ago. */
        boolean usable(long now) {
            if (!answer.isDone()) {
                return true;
            }
            return answer.join().isPresent() && now - askedNanos < CACHE_FOR.toNanos();
        }
    }
}
