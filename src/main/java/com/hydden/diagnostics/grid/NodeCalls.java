package com.hydden.diagnostics.grid;

import com.hydden.diagnostics.grid.api.ProfileRequest;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Starts calls to nodes with the configured time limits. */
@ApplicationScoped
public class NodeCalls {

    @Inject
    GridChannels channels;

    @Inject
    @ConfigProperty(name = "diagnostics.grid.timeout")
    Duration timeout;

    private Function<NodeAddress, GridChannels.Lease> leases;
    private ScheduledExecutorService timers;

    @PostConstruct
    void check() {
        GridChannels.requirePositive("diagnostics.grid.timeout", timeout);
        leases = channels.leases();
        timers = channels.timers();
    }

    void loadAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // observing startup creates the bean now, so a bad configuration stops the deployment
    }

    /**
     * Asks the node at {@code address} for a profile. {@code seconds} is the cpu sampling time, 0 for the
     * other profile types.
     */
    public ProfileDownload profile(NodeAddress address, String client, String module, String profile, int seconds) {
        ProfileRequest request = ProfileRequest.newBuilder()
                .setClient(client)
                .setModule(module)
                .setProfile(profile)
                .setSeconds(seconds)
                .build();
        return ProfileDownload.start(leases.apply(address), timers, request, timeout);
    }
}
