package com.hydden.diagnostics.health;

import com.hydden.diagnostics.grid.GridChannels;
import com.hydden.diagnostics.pprof.RequestLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * The channel pool and the requests using it. Down only when the pool's threads are gone, which only a restart
 * mends; a full pool or a busy service is load, reported in the data, not a reason to restart.
 */
@Liveness
@ApplicationScoped
public class ChannelsLiveness implements HealthCheck {

    static final String NAME = "diagnostics-channels";

    @Inject
    GridChannels channels;

    @Inject
    RequestLimits limits;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME)
                .withData("open-channels", channels.openChannels())
                .withData("max-channels", channels.maxChannels())
                .withData("in-flight-requests", limits.inFlight())
                .withData("max-in-flight-requests", limits.maxInFlight());
        if (!channels.running()) {
            return response.down().withData("problem", "the channel pool's threads have stopped: restart the application")
                    .build();
        }
        return response.up().build();
    }
}
