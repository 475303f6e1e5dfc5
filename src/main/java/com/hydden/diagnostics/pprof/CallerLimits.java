package com.hydden.diagnostics.pprof;

import com.hydden.diagnostics.cluster.Slots;
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
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How many profile requests one caller may have in flight, so one stolen token cannot sweep the fleet at once.
 * A caller is a JWT {@code sub} or an API token's name. Counted across every instance sharing the cluster state
 * ({@link Slots}), so a caller spreading requests over instances behind a load balancer gets no more.
 */
@ApplicationScoped
public class CallerLimits {

    static final String MAX_PER_CALLER_KEY = "diagnostics.pprof.max-per-caller";
    private static final String SLOT_PREFIX = "caller/";

    @Inject
    @ConfigProperty(name = MAX_PER_CALLER_KEY)
    int maxPerCaller;

    @Inject
    Slots slots;

    public CallerLimits() {
    }

    CallerLimits(int maxPerCaller, Slots slots) {
        this.maxPerCaller = maxPerCaller;
        this.slots = slots;
        check();
    }

    @PostConstruct
    void check() {
        if (maxPerCaller < 1) {
            throw new IllegalArgumentException(MAX_PER_CALLER_KEY + ": must be at least 1, is " + maxPerCaller);
        }
    }

    void loadAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // observing startup creates the bean now, so a bad configuration stops the deployment
    }

    /**
     * A place for one request of {@code caller} (a {@code Caller.id()}); close it when the node's call is over.
     * (Public: a CDI proxy runs package-private methods on itself, not on the bean.)
     *
     * @throws ProblemException 429 {@code caller-busy} with {@code Retry-After}
     */
    public Permit admit(String caller) {
        if (!take(caller)) {
            throw new ProblemException(Problem.of(Response.Status.TOO_MANY_REQUESTS, "caller-busy",
                    "this caller already runs " + maxPerCaller + " profile requests; retry later"),
                    Map.of("Retry-After", RequestLimits.RETRY_AFTER_SECONDS));
        }
        return new Permit(caller);
    }

    /** Takes one of {@code caller}'s places if one is free. */
    private boolean take(String caller) {
        return slots.tryAcquire(SLOT_PREFIX + caller, maxPerCaller);
    }

    /** Gives back a place {@link #take} took. */
    private void give(String caller) {
        slots.release(SLOT_PREFIX + caller);
    }

    /** Requests of {@code caller} holding a place now. */
    int inFlight(String caller) {
        return slots.held(SLOT_PREFIX + caller);
    }

    public final class Permit implements AutoCloseable {
        private final String caller;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Permit(String caller) {
            this.caller = caller;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                give(caller);
            }
        }
    }
}
