package com.hydden.diagnostics.grid;

import com.hydden.diagnostics.problem.Problem;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Node ID to network address: the explicit list first, then the address template. Both are checked when
 * the application starts, so a typo stops the deployment instead of failing requests.
 */
@ApplicationScoped
public class NodeDirectory {

    static final String NODES_KEY = "diagnostics.grid.nodes";
    static final String TEMPLATE_KEY = "diagnostics.grid.address-template";
    static final String PLACEHOLDER = "{client}";

    @Inject
    @ConfigProperty(name = NODES_KEY)
    Optional<String> nodesConfig;

    @Inject
    @ConfigProperty(name = TEMPLATE_KEY)
    Optional<String> templateConfig;

    private Map<String, NodeAddress> listed;
    private String template;

    @PostConstruct
    void load() {
        listed = parseNodes(nodesConfig.orElse(""));
        template = templateConfig.map(NodeDirectory::checkTemplate).orElse(null);
    }

    void loadAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        listed.size(); // touching the bean runs @PostConstruct now, not on the first request
    }

    /** @throws com.hydden.diagnostics.problem.ProblemException 404 when the ID maps to no address */
    public NodeAddress resolve(String client) {
        NodeAddress address = listed.get(client);
        if (address != null) {
            return address;
        }
        if (template != null) {
            try {
                return NodeAddress.parse(template.replace(PLACEHOLDER, client));
            } catch (IllegalArgumentException notAHostName) {
                // e.g. an underscore: a valid node ID that cannot be a DNS label
            }
        }
        throw Problem.of(Response.Status.NOT_FOUND, "unknown-node", "unknown node '" + client + "'").exception();
    }

    /** How many node IDs {@code diagnostics.grid.nodes} lists. */
    public int listedNodes() {
        return listed.size();
    }

    /** The node IDs {@code diagnostics.grid.nodes} lists, in its order. */
    public List<String> listedIds() {
        return List.copyOf(listed.keySet());
    }

    public Optional<String> template() {
        return Optional.ofNullable(template);
    }

    static Map<String, NodeAddress> parseNodes(String config) {
        Map<String, NodeAddress> nodes = new LinkedHashMap<>();
        for (String entry : config.split(",")) {
            entry = entry.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String id = eq < 0 ? "" : entry.substring(0, eq).strip();
            if (!NodeIds.isValid(id)) {
                throw invalid(NODES_KEY, "entry '" + entry + "' is not id=host:port with an ID of " + NodeIds.RULE);
            }
            try {
                if (nodes.put(id, NodeAddress.parse(entry.substring(eq + 1).strip())) != null) {
                    throw invalid(NODES_KEY, "node '" + id + "' is listed twice");
                }
            } catch (IllegalArgumentException e) {
                throw invalid(NODES_KEY, "entry '" + entry + "': " + e.getMessage());
            }
        }
        return Collections.unmodifiableMap(nodes); // in the configured order
    }

    static String checkTemplate(String template) {
        int at = template.indexOf(PLACEHOLDER);
        if (at < 0 || template.indexOf(PLACEHOLDER, at + 1) >= 0) {
            throw invalid(TEMPLATE_KEY, "must contain " + PLACEHOLDER + " exactly once");
        }
        try {
            // A placeholder in the port position fails here too: ports are digits only.
            NodeAddress.parse(template.replace(PLACEHOLDER, "node-1"));
        } catch (IllegalArgumentException e) {
            throw invalid(TEMPLATE_KEY, "'" + template + "' does not give host:port: " + e.getMessage());
        }
        return template;
    }

    private static IllegalArgumentException invalid(String key, String why) {
        return new IllegalArgumentException(key + ": " + why);
    }
}
