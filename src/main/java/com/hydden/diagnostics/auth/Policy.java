package com.hydden.diagnostics.auth;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The grants of one version of the permissions policy, parsed from lines of
 * {@code role profiles nodes max-seconds} ({@code #} starts a comment). A request is allowed when any grant of
 * any of the caller's roles covers its profile, node and seconds; nothing else is.
 */
final class Policy {

    static final String FORMAT = "expected 'role profiles nodes max-seconds'";
    private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern PROFILE = Pattern.compile("[a-z0-9._-]{1,64}");
    private static final Pattern NODE_GLOB = Pattern.compile("[A-Za-z0-9._*?-]{1,128}");
    private static final Pattern SECONDS = Pattern.compile("[0-9]{1,9}");

    private final List<Grant> grants;
    private final Set<String> roles;

    private Policy(List<Grant> grants) {
        this.grants = List.copyOf(grants);
        this.roles = grants.stream().map(Grant::role).collect(Collectors.toUnmodifiableSet());
    }

    /** Today's rule, when no policy is set: {@code role} may take every profile from every node. */
    static Policy everythingFor(String role) {
        return new Policy(List.of(new Grant(role, Grant.ANY, Grant.ANY, Integer.MAX_VALUE, Set.of(),
                List.of(Grant.glob(Grant.ANY)), 0)));
    }

    /** @throws IllegalArgumentException {@code line N: why}, for the first line that is not a grant */
    static Policy parse(List<String> lines) {
        List<Grant> grants = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (!content.isEmpty()) {
                grants.add(grant(content.split("\\s+"), i + 1));
            }
        }
        return new Policy(grants);
    }

    private static Grant grant(String[] fields, int line) {
        if (fields.length != 4) {
            throw invalid(line, FORMAT + ", found " + fields.length + " field" + (fields.length == 1 ? "" : "s"));
        }
        if (!ROLE.matcher(fields[0]).matches()) {
            throw invalid(line, "the role must be 1-128 characters of A-Z a-z 0-9 . _ : -");
        }
        Set<String> profiles = fields[1].equals(Grant.ANY) ? Set.of()
                : list(fields[1], PROFILE, line, "profiles must be * or a comma list of profile names (a-z 0-9 . _ -)");
        List<Pattern> nodes = list(fields[2], NODE_GLOB, line,
                "nodes must be a comma list of node IDs, each may use * and ? (A-Z a-z 0-9 . _ - * ?)")
                .stream().map(Grant::glob).toList();
        if (!SECONDS.matcher(fields[3]).matches()) {
            throw invalid(line, "max-seconds must be a whole number of seconds, 0 to 999999999");
        }
        return new Grant(fields[0], fields[1], fields[2], Integer.parseInt(fields[3]), profiles, nodes, line);
    }

    private static Set<String> list(String field, Pattern item, int line, String rule) {
        Set<String> items = new LinkedHashSet<>();
        for (String s : field.split(",", -1)) {
            if (!item.matcher(s).matches()) {
                throw invalid(line, rule);
            }
            items.add(s);
        }
        return items;
    }

    private static IllegalArgumentException invalid(int line, String why) {
        return new IllegalArgumentException("line " + line + ": " + why);
    }

    List<Grant> grants() {
        return grants;
    }

    /** Whether any grant names one of {@code callerRoles}: whether the caller may ask for anything at all. */
    boolean namesAny(Set<String> callerRoles) {
        return callerRoles.stream().anyMatch(roles::contains);
    }

    Set<String> roles() {
        return roles;
    }

    /**
     * The first grant, in file order, that allows the request, or why none does: the first of role, profile,
     * node and seconds that no grant of the caller's roles passes.
     */
    Decision decide(Set<String> callerRoles, String profile, String node, int seconds) {
        List<Grant> candidates = grants.stream().filter(g -> callerRoles.contains(g.role())).toList();
        if (candidates.isEmpty()) {
            return Decision.denied("no grant names any of the roles " + callerRoles);
        }
        candidates = narrow(candidates, g -> g.coversProfile(profile));
        if (candidates.isEmpty()) {
            return Decision.denied("no grant of the roles " + callerRoles + " covers the profile " + profile);
        }
        candidates = narrow(candidates, g -> g.coversNode(node));
        if (candidates.isEmpty()) {
            return Decision.denied("no grant of the roles " + callerRoles + " covers " + profile + " on the node "
                    + node);
        }
        int largest = candidates.stream().mapToInt(Grant::maxSeconds).max().orElse(0);
        candidates = narrow(candidates, g -> g.coversSeconds(seconds));
        if (candidates.isEmpty()) {
            return Decision.denied(seconds + " seconds is more than the grants of the roles " + callerRoles
                    + " allow for " + profile + " on " + node + " (at most " + largest + ")");
        }
        return new Decision(Optional.of(candidates.get(0)), null);
    }

    private static List<Grant> narrow(List<Grant> grants, Predicate<Grant> test) {
        return grants.stream().filter(test).toList();
    }

    /** @param denial which check failed, when no grant allows the request */
    record Decision(Optional<Grant> grant, String denial) {
        static Decision denied(String why) {
            return new Decision(Optional.empty(), why);
        }
    }
}
