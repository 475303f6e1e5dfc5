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
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How many profile requests one caller may have in flight, so one stolen token cannot sweep the fleet at once.
 * A caller is a JWT {@code sub} or an API token's name. Counted on this instance only: {@link #take} and
 * {@link #give} are the only methods that touch the count, so it can move to state shared by the cluster.
 */
@ApplicationScoped
public class CallerLimits {

    static final String MAX_PER_CALLER_KEY = "diagnostics.pprof.max-per-caller";

    @Inject
    @ConfigProperty(name = MAX_PER_CALLER_KEY)
    int maxPerCaller;

    private final Map<String, Integer> perCaller = new ConcurrentHashMap<>();

    public CallerLimits() {
    }

    CallerLimits(int maxPerCaller) {
        this.maxPerCaller = maxPerCaller;
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
        boolean[] taken = {false};
        perCaller.compute(caller, (id, running) -> {
            int now = running == null ? 0 : running;
            taken[0] = now < maxPerCaller;
            return taken[0] ? now + 1 : now;
        });
        return taken[0];
    }

    /** Gives back a place {@link #take} took. */
    private void give(String caller) {
        perCaller.computeIfPresent(caller, (id, running) -> running > 1 ? running - 1 : null);
    }

    /** Requests of {@code caller} holding a place now. */
    int inFlight(String caller) {
        return perCaller.getOrDefault(caller, 0);
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
