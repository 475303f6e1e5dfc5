package com.hydden.diagnostics.pprof;

import com.hydden.diagnostics.problem.Problem;
import com.hydden.diagnostics.problem.ProblemException;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How many profile requests may run at once, in total and per node, and how long a cpu profile may sample.
 * Checked before any call to a node, answered honestly (503 when the service is full, 429 when one node has
 * enough) with Retry-After.
 */
@ApplicationScoped
public class RequestLimits {

    static final String RETRY_AFTER_SECONDS = "5";
    static final String MAX_SECONDS_KEY = "diagnostics.pprof.max-seconds";
    static final String MAX_IN_FLIGHT_KEY = "diagnostics.pprof.max-in-flight";
    static final String MAX_PER_NODE_KEY = "diagnostics.pprof.max-per-node";

    @Inject
    @ConfigProperty(name = MAX_SECONDS_KEY)
    int maxSeconds;

    @Inject
    @ConfigProperty(name = MAX_IN_FLIGHT_KEY)
    int maxInFlight;

    @Inject
    @ConfigProperty(name = MAX_PER_NODE_KEY)
    int maxPerNode;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, Integer> perNode = new ConcurrentHashMap<>();

    @PostConstruct
    void check() {
        requireAtLeastOne(MAX_SECONDS_KEY, maxSeconds);
        requireAtLeastOne(MAX_IN_FLIGHT_KEY, maxInFlight);
        requireAtLeastOne(MAX_PER_NODE_KEY, maxPerNode);
    }

    void loadAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // observing startup creates the bean now, so a bad configuration stops the deployment
    }

    /** The largest {@code seconds} a caller may ask for: cpu sampling time or delta window. */
    public int maxSeconds() {
        return maxSeconds;
    }

    /** Profile requests holding a place now: admitted, and their node's call not over. */
    public int inFlight() {
        return inFlight.get();
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    /**
     * A place for one request to {@code client}; close it when the node's call is over. (Public: a CDI
     * proxy runs package-private methods on itself, not on the bean.)
     */
    public Permit admit(String client) {
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            throw refusal(Response.Status.SERVICE_UNAVAILABLE, "overloaded",
                    "the service is at its limit of " + maxInFlight + " concurrent profile requests; retry later");
        }
        boolean[] admitted = {false};
        perNode.compute(client, (id, running) -> {
            int now = running == null ? 0 : running;
            admitted[0] = now < maxPerNode;
            return admitted[0] ? now + 1 : now;
        });
        if (!admitted[0]) {
            inFlight.decrementAndGet();
            throw refusal(Response.Status.TOO_MANY_REQUESTS, "node-busy",
                    "node '" + client + "' already serves " + maxPerNode + " profile requests; retry later");
        }
        return new Permit(client);
    }

    private static void requireAtLeastOne(String key, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(key + ": must be at least 1, is " + value);
        }
    }

    private static ProblemException refusal(Response.Status status, String kind, String detail) {
        return new ProblemException(Problem.of(status, kind, detail), Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }

    public final class Permit implements AutoCloseable {
        private final String client;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Permit(String client) {
            this.client = client;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                perNode.computeIfPresent(client, (id, running) -> running > 1 ? running - 1 : null);
                inFlight.decrementAndGet();
            }
        }
    }
}
