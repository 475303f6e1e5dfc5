package com.hydden.diagnostics.auth;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One line of the permissions policy: a role may take these profiles from these nodes, sampling at most
 * {@code maxSeconds}. {@code profiles} and {@code nodes} are kept as written, for the audit record.
 *
 * @param profileNames the profiles, empty when the line says {@code *}
 * @param nodeGlobs    the node-ID globs compiled ({@code *} any run of characters, {@code ?} one character)
 * @param line         the line's number in the policy file, 0 for the rule that holds when no policy is set
 */
public record Grant(String role, String profiles, String nodes, int maxSeconds, Set<String> profileNames,
                    List<Pattern> nodeGlobs, int line) {

    static final String ANY = "*";

    public Grant {
        profileNames = Set.copyOf(profileNames);
        nodeGlobs = List.copyOf(nodeGlobs);
    }

    boolean coversProfile(String profile) {
        return profileNames.isEmpty() || profileNames.contains(profile);
    }

    boolean coversNode(String node) {
        return nodeGlobs.stream().anyMatch(glob -> glob.matcher(node).matches());
    }

    /** Seconds 0 (a profile taken at once) is always covered; any other sampling time up to the cap. */
    boolean coversSeconds(int seconds) {
        return seconds <= maxSeconds;
    }

    /** A glob of the node-ID alphabet as a pattern; every character but {@code *} and {@code ?} is literal. */
    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    @Override
    public String toString() {
        return "line " + line + ": " + role + " " + profiles + " " + nodes + " " + maxSeconds;
    }
}
