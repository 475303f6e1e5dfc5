package com.hydden.diagnostics.auth;

import com.hydden.diagnostics.problem.Problem;
import com.hydden.diagnostics.problem.ProblemException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one gate in front of every resource (pre-matching, so even an unknown path tells an anonymous caller
 * nothing). Takes the credential ({@code Authorization: Bearer}, else the JWT cookie), sets the request's
 * {@link jakarta.ws.rs.core.SecurityContext} and the {@link Caller}, and lets through only callers holding a role
 * that {@link Permissions} grants anything to (the diagnostics role when no policy is set). Whether the grants
 * cover the profile, node and seconds asked for is checked by the resource, once the body is read.
 *
 * <p>Every refusal is the same 403 with one of two details; which check failed goes to this class's logger
 * at FINE, never with the credential.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION)
@ApplicationScoped
public class AuthenticationFilter implements ContainerRequestFilter {

    static final String ROLE_KEY = "diagnostics.auth.role";
    static final String COOKIE_KEY = "diagnostics.auth.jwt.cookie";
    static final String AUTHENTICATION_FAILED = "authentication failed";
    static final String PERMISSION_DENIED = "permission denied";
    private static final Logger LOG = Logger.getLogger(AuthenticationFilter.class.getName());

    @Inject
    JwtVerifier jwts;

    @Inject
    ApiTokens apiTokens;

    @Inject
    Permissions permissions;

    @Inject
    Event<Refusal> refusals;

    @Inject
    @ConfigProperty(name = ROLE_KEY)
    String role;

    @Inject
    @ConfigProperty(name = COOKIE_KEY)
    String cookieName;

    @Inject
    @ConfigProperty(name = AllowedOrigins.KEY)
    Optional<String> allowedOriginsConfig;

    private AllowedOrigins allowedOrigins;

    @PostConstruct
    void start() {
        if (role.isBlank()) {
            throw new IllegalArgumentException(ROLE_KEY + ": must name a role");
        }
        if (cookieName.isBlank()) {
            throw new IllegalArgumentException(COOKIE_KEY + ": must name a cookie");
        }
        allowedOrigins = AllowedOrigins.parse(allowedOriginsConfig);
    }

    void loadAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // observing startup creates the bean now, so a bad configuration stops the deployment
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String token;
        String scheme;
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw refused(request, Refusal.NOT_BEARER, "an Authorization header that is not Bearer");
            }
            token = authorization.substring(7).strip();
            scheme = JwtVerifier.hasJwtShape(token) ? Caller.JWT_BEARER : Caller.API_TOKEN;
        } else {
            Cookie cookie = request.getCookies().get(cookieName);
            if (cookie == null) {
                throw refused(request, Refusal.NO_CREDENTIAL, "no credential");
            }
            token = cookie.getValue();
            scheme = Caller.JWT_COOKIE;
        }
        IdentityStore store = scheme.equals(Caller.API_TOKEN) ? apiTokens : jwts;
        CredentialValidationResult result = store.validate(new TokenCredential(token));
        if (result.getStatus() != CredentialValidationResult.Status.VALID) {
            throw refused(request, scheme.equals(Caller.API_TOKEN) ? Refusal.INVALID_API_TOKEN : Refusal.INVALID_JWT,
                    scheme + " not valid");
        }
        if (scheme.equals(Caller.JWT_COOKIE)
                && !allowedOrigins.allows(request.getHeaderString("Origin"), request.getHeaderString(HttpHeaders.HOST))) {
            throw refused(request, Refusal.FOREIGN_ORIGIN, "cookie sent from a foreign Origin");
        }
        Caller caller = new Caller(result.getCallerPrincipal().getName(), result.getCallerGroups(), scheme);
        request.setSecurityContext(caller.securityContext(request.getSecurityContext().isSecure()));
        request.setProperty(Caller.PROPERTY, caller);
        if (!permissions.admits(caller)) {
            LOG.fine(() -> "refused " + describe(request) + ": caller '" + caller.name() + "' holds none of the roles "
                    + permissions.grantedRoles());
            refusals.fire(Refusal.MISSING_ROLE);
            throw Permissions.denied();
        }
    }

    private ProblemException refused(ContainerRequestContext request, Refusal reason, String why) {
        LOG.fine(() -> "refused " + describe(request) + ": " + why);
        refusals.fire(reason);
        return Problem.of(Response.Status.FORBIDDEN, "authentication-failed", AUTHENTICATION_FAILED).exception();
    }

    private static String describe(ContainerRequestContext request) {
        return request.getMethod() + " /" + request.getUriInfo().getPath();
    }
}
