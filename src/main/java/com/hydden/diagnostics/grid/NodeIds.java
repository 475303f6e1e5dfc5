package com.hydden.diagnostics.grid;

import java.util.regex.Pattern;

/**
 * The one rule for node IDs and module names. A node ID becomes part of a network address, so the
 * alphabet leaves no way to name another host, port, user or path.
 */
public final class NodeIds {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    public static final String RULE = "1-128 characters of A-Z a-z 0-9 . _ -";

    private NodeIds() {
    }

    public static boolean isValid(String id) {
        return id != null && ID.matcher(id).matches();
    }
}
