package com.hydden.diagnostics.audit;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.ext.Provider;
import java.security.Principal;
import java.util.regex.Pattern;

/**
 * Opens the audit record of every pprof and bundle request before anything can refuse it (it runs ahead of the
 * authentication filter), and adds the caller and status once the answer is decided. The record is written by
 * {@link AuditInterceptor} after the body's last byte, or here when the answer has no body.
 *
 * <p>The client IP is the connection's peer: a forwarded-for header is the client's own claim.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
@ApplicationScoped
public class AuditFilter implements ContainerRequestFilter, ContainerResponseFilter {

    static final String AUDITED_PATH = "pprof";
    static final String BUNDLE_PATH = "bundle";
    static final String REQUEST_ID_HEADER = "X-Request-Id";
    private static final Pattern EDGE_SLASHES = Pattern.compile("^/+|/+$");

    @Context
    HttpServletRequest servletRequest;

    @Inject
    AuditTrail trail;

    @Inject
    Event<RequestEnded> ended;

    @Inject
    Event<BundleEnded> bundlesEnded;

    @Override
    public void filter(ContainerRequestContext request) {
        String path = EDGE_SLASHES.matcher(request.getUriInfo().getPath()).replaceAll("");
        if (under(path, AUDITED_PATH)) {
            request.setProperty(AuditRecord.PROPERTY, new AuditRecord(request.getMethod(), servletRequest.getRemoteAddr(), trail, ended::fire));
        } else if (under(path, BUNDLE_PATH)) {
            // a bundle is counted as a bundle, not as a pprof request
            request.setProperty(AuditRecord.PROPERTY, AuditRecord.ofBundle(request.getMethod(), servletRequest.getRemoteAddr(), trail,
                    facts -> bundlesEnded.fire(new BundleEnded(facts.status(), facts.outcome(), facts.bytes(), facts.duration()))));
        }
    }

    private static boolean under(String path, String root) {
        return path.equals(root) || path.startsWith(root + "/");
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (!(request.getProperty(AuditRecord.PROPERTY) instanceof AuditRecord record)) {
            return;
        }
        SecurityContext security = request.getSecurityContext();
        Principal principal = security == null ? null : security.getUserPrincipal();
        if (principal != null) {
            record.caller(principal.getName(), security.getAuthenticationScheme());
        }
        record.status(response.getStatus());
        response.getHeaders().putSingle(REQUEST_ID_HEADER, record.requestId());
        if (!response.hasEntity()) {
            record.write(0L, null, "complete");
        }
    }
}
