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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How many profile requests this instance takes at once, and how long a cpu profile may sample. Checked before
 * any call to a node, answered honestly (503 when the service is full) with Retry-After. The per-node limit is
 * the node calls' own ({@link com.hydden.diagnostics.grid.NodeCalls}): it holds across the cluster.
 */
@ApplicationScoped
public class RequestLimits {

    static final String RETRY_AFTER_SECONDS = "5";
    static final String MAX_SECONDS_KEY = "diagnostics.pprof.max-seconds";
    static final String MAX_IN_FLIGHT_KEY = "diagnostics.pprof.max-in-flight";

    @Inject
    @ConfigProperty(name = MAX_SECONDS_KEY)
    int maxSeconds;

    @Inject
    @ConfigProperty(name = MAX_IN_FLIGHT_KEY)
    int maxInFlight;

    private final AtomicInteger inFlight = new AtomicInteger();

    @PostConstruct
    void check() {
        requireAtLeastOne(MAX_SECONDS_KEY, maxSeconds);
        requireAtLeastOne(MAX_IN_FLIGHT_KEY, maxInFlight);
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
     * A place for one request; close it when the request is over. (Public: a CDI proxy runs package-private
     * methods on itself, not on the bean.)
     */
    public Permit admit() {
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            throw refusal(Response.Status.SERVICE_UNAVAILABLE, "overloaded",
                    "the service is at its limit of " + maxInFlight + " concurrent profile requests; retry later");
        }
        return new Permit();
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
        private final AtomicBoolean closed = new AtomicBoolean();

        private Permit() {
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
            }
        }
    }
}
