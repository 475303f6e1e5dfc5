package com.hydden.diagnostics.health;

import com.hydden.diagnostics.auth.ApiTokens;
import com.hydden.diagnostics.auth.JwtVerifier;
import com.hydden.diagnostics.auth.Permissions;
import com.hydden.diagnostics.auth.SourceState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when callers can get in: the JWT keys or the API tokens are loaded. Down when neither source is
 * configured (every request would be refused) or when the API-token file broke while running (every API token
 * is refused until it is fixed). A failed JWKS or policy reload keeps the previous keys or grants, so it is
 * reported, not down.
 */
@Readiness
@ApplicationScoped
public class CredentialsReadiness implements HealthCheck {

    static final String NAME = "diagnostics-credentials";

    @Inject
    JwtVerifier jwts;

    @Inject
    ApiTokens apiTokens;

    @Inject
    Permissions permissions;

    @Override
    public HealthCheckResponse call() {
        return check(jwts.keysState(), apiTokens.state(), permissions.state());
    }

    /** @param policy the permissions policy's grants; a failed reload keeps the last good policy, so it stays UP */
    static HealthCheckResponse check(SourceState keys, SourceState tokens, SourceState policy) {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).up();
        describe(response, "jwt-keys", "diagnostics.auth.jwt.jwks", keys);
        describe(response, "api-tokens", "diagnostics.auth.api-tokens", tokens);
        describe(response, "policy", "diagnostics.auth.policy", policy);
        if (!keys.configured() && !tokens.configured()) {
            response.down().withData("problem", "neither diagnostics.auth.jwt.jwks nor diagnostics.auth.api-tokens "
                    + "is set: every request is refused");
        } else if (tokens.problem().isPresent()) {
            response.down().withData("problem", "diagnostics.auth.api-tokens: " + tokens.problem().get());
        }
        return response.build();
    }

    private static void describe(HealthCheckResponseBuilder response, String name, String key, SourceState state) {
        if (!state.configured()) {
            response.withData(name, key + " is not set");
            return;
        }
        response.withData(name, state.loaded());
        state.problem().ifPresent(problem -> response.withData(name + "-problem", problem));
    }
}
