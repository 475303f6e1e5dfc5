package com.hydden.diagnostics.bundle;

import jakarta.ws.rs.core.SecurityContext;

/** Which items of a bundle a caller may collect: for now, all of them for a holder of the diagnostics role. */
final class ItemPermissions {

    private final String role;

    ItemPermissions(String role) {
        this.role = role;
    }

    /** The one check every item passes before a bundle starts; {@code profile} is a wire name or "stats". */
    boolean allows(SecurityContext caller, String node, String profile) {
        return caller != null && caller.isUserInRole(role);
    }
}
