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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Each node's {@code GetStats}, asked beside a profile call and kept for {@link #CACHE_FOR}, so a busy node
 * is asked about once a minute rather than once a request. Answers never fail: when the node cannot say
 * (an error, no answer within {@code diagnostics.grid.timeout}, a node without {@code GetStats}), the answer
 * is empty and the profile goes out without the node's facts.
 *
 * <p>That a node has no {@code GetStats} ({@code UNIMPLEMENTED}) or did not answer it in time is kept like an
 * answer, for the minute: asking again on every request would double the calls to a node that lacks it, and
 * hold each answer back. Any other failure is not kept: the next request asks again.
 *
 * <p>A profile waits for the facts at most {@link #WAIT} from when they were asked ({@link Asked#awaited}): a
 * node slow to say them holds no profile back beyond that, and a request that joins a question asked earlier
 * waits less, or not at all.
 */
@ApplicationScoped
public class NodeFacts {

    private static final Logger LOG = Logger.getLogger(NodeFacts.class.getName());
    static final Duration CACHE_FOR = Duration.ofSeconds(60);
    /** How long after the facts were asked a profile still waits for them. */
    static final Duration WAIT = Duration.ofSeconds(5);

    @Inject
    GridChannels channels;

    @Inject
    @ConfigProperty(name = "diagnostics.grid.timeout")
    Duration timeout;

    private Function<NodeAddress, GridChannels.Lease> leases;
    private final Map<String, Asked> cache = new ConcurrentHashMap<>();

    @PostConstruct
    void start() {
        leases = channels.leases();
    }

    /** The node's facts, from the last minute's answer or (shared by concurrent callers) a new question. */
    public Asked cached(NodeAddress address, String client) {
        long now = System.nanoTime();
        return cache.compute(client, (id, old) -> old != null && old.usable(now) ? old : ask(address, client, now));
    }

    /** Asks the node now (for a fact that must be current, such as its uptime) and keeps the answer. */
    public CompletableFuture<Optional<NodeStats>> fresh(NodeAddress address, String client) {
        Asked asked = ask(address, client, System.nanoTime());
        cache.put(client, asked);
        return asked.answer;
    }

    private Asked ask(NodeAddress address, String client, long now) {
        Asked asked = new Asked(now);
        GridChannels.Lease lease;
        try {
            lease = leases.apply(address);
        } catch (RuntimeException e) {
            LOG.fine(() -> "GetStats of node " + client + " not asked: " + e);
            asked.answer.complete(Optional.empty());
            return asked;
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
                        Status status = Status.fromThrowable(t);
                        LOG.fine(() -> "GetStats of node " + client + " failed: " + GridStatus.describe(status));
                        asked.kept = status.getCode() == Status.Code.UNIMPLEMENTED
                                || status.getCode() == Status.Code.DEADLINE_EXCEEDED;
                        asked.answer.complete(Optional.empty());
                    }

                    @Override
                    public void onCompleted() {
                        lease.release();
                        asked.kept = true;
                        asked.answer.complete(Optional.ofNullable(stats).map(s -> NodeStats.of(s, now, System.nanoTime())));
                    }
                });
        return asked;
    }

    /** One question to a node: its answer once in, and when it was asked. */
    public final class Asked {
        private final CompletableFuture<Optional<NodeStats>> answer = new CompletableFuture<>();
        private final long askedNanos;
        // Written before the answer completes: the answer is one to keep for the minute.
        private volatile boolean kept;

        private Asked(long askedNanos) {
            this.askedNanos = askedNanos;
        }

        /** The node's facts, or empty when it could not say; complete once the node answered or failed. */
        public CompletableFuture<Optional<NodeStats>> answer() {
            return answer;
        }

        /**
         * The facts as a profile that is ready to go waits for them: the answer, or empty once the question is
         * {@link #WAIT} old (at once when it is older already). The answer itself still comes in and is kept.
         */
        public CompletableFuture<Optional<NodeStats>> awaited() {
            if (answer.isDone()) {
                return answer;
            }
            long left = askedNanos + WAIT.toNanos() - System.nanoTime();
            if (left <= 0) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            CompletableFuture<Optional<NodeStats>> waited = new CompletableFuture<>();
            try {
                ScheduledFuture<?> giveUp = channels.timers().schedule(
                        () -> waited.complete(Optional.empty()), left, TimeUnit.NANOSECONDS);
                answer.whenComplete((facts, never) -> {
                    giveUp.cancel(false);
                    waited.complete(facts);
                });
            } catch (RejectedExecutionException undeployed) {
                waited.complete(Optional.empty());
            }
            return waited;
        }

        /** Still being asked, or answered (facts, or that the node can't say them) less than a minute ago. */
        private boolean usable(long now) {
            if (!answer.isDone()) {
                return true;
            }
            return kept && now - askedNanos < CACHE_FOR.toNanos();
        }
    }
}
