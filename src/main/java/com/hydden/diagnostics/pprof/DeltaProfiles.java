package com.hydden.diagnostics.pprof;

import com.hydden.diagnostics.grid.DaemonThreads;
import com.hydden.diagnostics.grid.NodeAddress;
import com.hydden.diagnostics.grid.NodeCalls;
import com.hydden.diagnostics.grid.NodeFacts;
import com.hydden.diagnostics.profile.ProfileCodec;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Delta profiles: two snapshots of a profile, {@code seconds} apart, answered as the second minus the first
 * (see {@link DeltaRun}). The wait is a timer, so a waiting delta holds no thread.
 */
@ApplicationScoped
public class DeltaProfiles {

    static final String MAX_PROFILE_BYTES_KEY = "diagnostics.pprof.max-profile-bytes";

    @Inject
    @ConfigProperty(name = MAX_PROFILE_BYTES_KEY)
    long maxProfileBytes;

    @Inject
    NodeCalls calls;

    @Inject
    NodeFacts facts;

    @Inject
    ProfileWriters writers;

    private ScheduledExecutorService timer;

    @PostConstruct
    void start() {
        if (maxProfileBytes < 1 || maxProfileBytes > ProfileCodec.MAX_BYTES) {
            throw new IllegalArgumentException(MAX_PROFILE_BYTES_KEY + ": must be from 1 to " + ProfileCodec.MAX_BYTES
                    + " (bytes), is " + maxProfileBytes);
        }
        timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("pprof-delta-timer"));
    }

    void loadAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // observing startup creates the bean now, so a bad configuration stops the deployment
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    /**
     * Starts a delta profile of {@code request} from the node at {@code node}. {@code permit} gives the request's places back; it runs when
     * the run is over, its node calls included.
     */
    public DeltaRun start(NodeAddress node, PprofRequest request, Runnable permit) {
        DeltaRun run = new DeltaRun(node, request, permit, calls, facts, writers, timer, maxProfileBytes);
        run.start();
        return run;
    }
}
