package com.hydden.diagnostics.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hydden.diagnostics.grid.DaemonThreads;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Decides, once, where the shared state lives: on Payara's data grid when the server runs one (JNDI
 * {@code payara/Hazelcast}, a running instance), in memory otherwise. Nothing else knows which.
 */
@ApplicationScoped
public class ClusterState {

    static final String GRID_JNDI = "payara/Hazelcast";
    private static final Logger LOG = Logger.getLogger(ClusterState.class.getName());

    private ExecutorService localEvents;
    private GridState grid;

    @Produces
    @ApplicationScoped
    SharedState state() {
        HazelcastInstance hazelcast = lookUpGrid();
        if (hazelcast != null) {
            grid = new GridState(hazelcast);
            LOG.info(() -> "shared state on the data grid '" + hazelcast.getConfig().getClusterName()
                    + "' (" + hazelcast.getCluster().getMembers().size() + " members)");
            return grid;
        }
        LOG.info("no data grid: limits and shared cpu runs hold for this instance only");
        localEvents = Executors.newSingleThreadExecutor(DaemonThreads.named("shared-state-events"));
        return new LocalState(localEvents);
    }

    private static HazelcastInstance lookUpGrid() {
        try {
            Object found = new InitialContext().lookup(GRID_JNDI);
            if (found instanceof HazelcastInstance hazelcast && hazelcast.getLifecycleService().isRunning()) {
                return hazelcast;
            }
        } catch (NamingException | RuntimeException | LinkageError absent) {
            // no grid on this server (Payara with --nohazelcast, another server): state stays in memory
        }
        return null;
    }

    @PreDestroy
    void stop() {
        if (grid != null) {
            grid.close();
        }
        if (localEvents != null) {
            localEvents.shutdownNow();
        }
    }
}
