package com.hydden.diagnostics.auth;

import jakarta.security.enterprise.CallerPrincipal;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.util.Set;

/** Who made the request, with which roles, authenticated how ({@link #JWT_BEARER}, ...). */
record Caller(String name, Set<String> roles, String scheme) {

    static final String JWT_BEARER = "jwt-bearer";
    static final String JWT_COOKIE = "jwt-cookie";
    static final String API_TOKEN = "api-token";

    Caller {
        roles = Set.copyOf(roles);
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
