package com.hydden.diagnostics.health;

import com.hydden.diagnostics.grid.NodeDirectory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when node IDs can be resolved: {@code diagnostics.grid.nodes} lists some or the address template is
 * set. Both were checked when the application started; with neither, every request would be a 404.
 */
@Readiness
@ApplicationScoped
public class NodesReadiness implements HealthCheck {

    static final String NAME = "diagnostics-nodes";

    @Inject
    NodeDirectory nodes;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME)
                .withData("listed-nodes", nodes.listedNodes())
                .withData("address-template", nodes.template().orElse("not set"));
        if (nodes.listedNodes() == 0 && nodes.template().isEmpty()) {
            return response.down()
                    .withData("problem", "neither diagnostics.grid.nodes nor diagnostics.grid.address-template is set: "
                            + "no node can be reached")
                    .build();
        }
        return response.up().build();
    }
}
