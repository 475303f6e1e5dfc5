package com.hydden.diagnostics.bundle;

import static com.hydden.diagnostics.pprof.PprofRequest.bad;

import com.hydden.diagnostics.grid.NodeIds;
import com.hydden.diagnostics.pprof.PprofRequest;
import com.hydden.diagnostics.pprof.ProfileType;
import jakarta.json.stream.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /bundle}, checked field by field with the rules of {@code /pprof}'s body (size,
 * encoding, one object, duplicate keys, integer literals), so every refusal names its field.
 *
 * @param clients  the node IDs asked for, in the caller's order; null for {@code "*"} (every listed node)
 * @param profiles distinct, in the caller's order
 * @param seconds  as asked, null when not: the cpu sampling time (default 30), and the time between the two
 *                 snapshots of each other profile, which makes them delta profiles (without it, one snapshot)
 */
public record BundleRequest(List<String> clients, String module, List<ProfileType> profiles, Integer seconds) {

    static final String EVERY_LISTED_NODE = "*";

    public BundleRequest {
        clients = clients == null ? null : List.copyOf(clients);
        profiles = List.copyOf(profiles);
    }

    /** Reads and checks a body: at most {@code maxNodes} clients, cpu seconds in 1..maxSeconds. */
    public static BundleRequest read(InputStream body, int maxSeconds, int maxNodes) throws IOException {
        return PprofRequest.read(body, json -> fromObject(json, maxSeconds, maxNodes));
    }

    static BundleRequest parse(byte[] body, int maxSeconds, int maxNodes) {
        try {
            return read(new ByteArrayInputStream(body), maxSeconds, maxNodes);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a byte array does not fail
        }
    }

    boolean everyListedNode() {
        return clients == null;
    }

    private static BundleRequest fromObject(JsonParser json, int maxSeconds, int maxNodes) {
        if (json.next() != JsonParser.Event.START_OBJECT) {
            throw bad("the request body must be a JSON object");
        }
        List<String> clients = null;
        boolean clientsGiven = false;
        String module = null;
        List<String> profiles = null;
        BigDecimal seconds = null;
        Set<String> seen = new HashSet<>();
        JsonParser.Event event;
        while ((event = json.next()) == JsonParser.Event.KEY_NAME) {
            String field = json.getString();
            if (!seen.add(field)) {
                throw bad("field '" + PprofRequest.printable(field) + "' appears more than once");
            }
            JsonParser.Event value = json.next();
            switch (field) {
                case "clients" -> {
                    clientsGiven = true;
                    clients = clients(json, value, maxNodes);
                }
                case "module" -> module = PprofRequest.string(json, value, "module");
                case "profiles" -> profiles = strings(json, value, "profiles", ProfileType.values().length);
                case "seconds" -> seconds = PprofRequest.integer(json, value, "seconds");
                default -> PprofRequest.skip(json, value); // the portal may send more than we read
            }
        }
        if (event != JsonParser.Event.END_OBJECT || json.hasNext()) {
            throw bad("the request body must be a single JSON object");
        }
        if (!clientsGiven) {
            throw bad("clients is required: an array of 1 to " + maxNodes + " node IDs, or \"*\"");
        }
        return validated(clients, module, profiles, seconds, maxSeconds, maxNodes);
    }

    /** An array of node IDs, or null for "*". */
    private static List<String> clients(JsonParser json, JsonParser.Event value, int maxNodes) {
        if (value == JsonParser.Event.VALUE_STRING && json.getString().equals(EVERY_LISTED_NODE)) {
            return null;
        }
        if (value != JsonParser.Event.START_ARRAY) {
            throw bad("clients must be an array of node IDs or \"*\"");
        }
        return strings(json, value, "clients", maxNodes);
    }

    /** The strings of the array that {@code value} began, at most {@code most} of them. */
    private static List<String> strings(JsonParser json, JsonParser.Event value, String field, int most) {
        if (value != JsonParser.Event.START_ARRAY) {
            throw bad(field + " must be an array of strings");
        }
        List<String> strings = new ArrayList<>();
        for (JsonParser.Event next; (next = json.next()) != JsonParser.Event.END_ARRAY; ) {
            if (next != JsonParser.Event.VALUE_STRING) {
                throw bad(field + " must be an array of strings");
            }
            if (strings.size() == most) {
                throw bad(field + " has more than " + most + " entries");
            }
            strings.add(json.getString());
        }
        return strings;
    }

    private static BundleRequest validated(List<String> clients, String module, List<String> profileNames,
                                           BigDecimal seconds, int maxSeconds, int maxNodes) {
        if (clients != null) {
            checkClients(clients, maxNodes);
        }
        if (module == null) {
            module = PprofRequest.DEFAULT_MODULE;
        } else if (!NodeIds.isValid(module)) {
            throw bad("module must be " + NodeIds.RULE);
        }
        if (profileNames == null || profileNames.isEmpty()) {
            throw bad("profiles is required: an array of one or more of " + ProfileType.NAMES);
        }
        Set<ProfileType> profiles = new LinkedHashSet<>();
        for (String name : profileNames) {
            ProfileType profile = ProfileType.fromWireName(name)
                    .orElseThrow(() -> bad("profiles must hold only " + ProfileType.NAMES));
            if (!profiles.add(profile)) {
                throw bad("profiles lists '" + name + "' more than once");
            }
        }
        return new BundleRequest(clients, module, List.copyOf(profiles), seconds(seconds, maxSeconds));
    }

    private static void checkClients(List<String> clients, int maxNodes) {
        if (clients.isEmpty()) {
            throw bad("clients must list 1 to " + maxNodes + " node IDs, or be \"*\"");
        }
        Set<String> distinct = new HashSet<>();
        for (String client : clients) {
            // each ID names a folder of the archive: "." and ".." would name no folder or the one above
            if (!NodeIds.isValid(client) || client.equals(".") || client.equals("..")) {
                throw bad("clients must hold node IDs of " + NodeIds.RULE + ", not '.' or '..'");
            }
            if (!distinct.add(client)) {
                throw bad("clients lists '" + client + "' more than once");
            }
        }
    }

    /** The seconds as asked, checked; null when none were. */
    private static Integer seconds(BigDecimal seconds, int maxSeconds) {
        if (seconds == null) {
            return null;
        }
        if (seconds.compareTo(BigDecimal.ONE) < 0 || seconds.compareTo(BigDecimal.valueOf(maxSeconds)) > 0) {
            throw bad("seconds must be an integer from 1 to " + maxSeconds);
        }
        return seconds.intValueExact();
    }
}
