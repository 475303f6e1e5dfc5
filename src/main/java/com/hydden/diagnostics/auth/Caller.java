package com.hydden.diagnostics.auth;

import jakarta.security.enterprise.CallerPrincipal;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.util.Set;

/** Who made the request, with which roles, authenticated how ({@link #JWT_BEARER}, ...). */
public record Caller(String name, Set<String> roles, String scheme) {

    static final String JWT_BEARER = "jwt-bearer";
    static final String JWT_COOKIE = "jwt-cookie";
    static final String API_TOKEN = "api-token";
    static final String PROPERTY = Caller.class.getName();

    public Caller {
        roles = Set.copyOf(roles);
    }

    /** The caller the gate let in; every request that reaches a resource has one. */
    public static Caller of(ContainerRequestContext request) {
        if (request.getProperty(PROPERTY) instanceof Caller caller) {
            return caller;
        }
        throw new IllegalStateException("no authenticated caller on this request");
    }

    /**
     * One key per caller for the per-caller limits: the JWT {@code sub} or the API token's name, kept apart so
     * a token named like a person does not share that person's places.
     */
    public String id() {
        return (scheme.equals(API_TOKEN) ? "token:" : "jwt:") + name;
    }

    SecurityContext securityContext(boolean secure) {
        Principal principal = new CallerPrincipal(name);
        return new SecurityContext() {
            @Override
            public Principal getUserPrincipal() {
                return principal;
            }

            @Override
            public boolean isUserInRole(String role) {
                return roles.contains(role);
            }

            @Override
            public boolean isSecure() {
                return secure;
            }

            @Override
            public String getAuthenticationScheme() {
                return scheme;
            }
        };
    }
}
