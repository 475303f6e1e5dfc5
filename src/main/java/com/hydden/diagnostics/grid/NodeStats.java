package com.hydden.diagnostics.grid;

import com.hydden.diagnostics.grid.api.Stats;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a node said about itself in one {@code GetStats} answer, as plain values, and when: the facts an answer
 * carries as headers, a bundle's {@code stats.json}, and the uptime that tells whether the node restarted
 * between two answers.
 *
 * @param diskTotalBytes unsigned, as the node sends it ({@link Long#toUnsignedString})
 * @param diskFreeBytes  unsigned, as the node sends it
 * @param askedNanos     {@link System#nanoTime()} when the question went out
 * @param answeredNanos  {@link System#nanoTime()} when the answer came
 */
public record NodeStats(String nodeId, String version, String error, String component, long uptimeSeconds,
                        long diskTotalBytes, long diskFreeBytes, String goVersion, int maxProcs, String os,
                        String arch, String env, long askedNanos, long answeredNanos) {

    /** Longer node strings are cut: a header is for reading, and a node must not fill the response head. */
    static final int MAX_HEADER_CHARS = 200;

    static NodeStats of(Stats stats, long askedNanos, long answeredNanos) {
        return new NodeStats(stats.getNID(), stats.getVersion(), stats.getError(), stats.getComponent(),
                stats.getUptime(), stats.getDisk().getTotal(), stats.getDisk().getFree(),
                stats.getRuntime().getVersion(), stats.getRuntime().getMaxProcs(), stats.getRuntime().getOS(),
                stats.getRuntime().getArch(), stats.getRuntime().getEnv(), askedNanos, answeredNanos);
    }

    static NodeStats of(Stats stats) {
        long now = System.nanoTime();
        return of(stats, now, now);
    }

    /**
     * The node facts as response headers, in a fixed order; a fact the node left empty has no header. Node
     * strings are reduced to printable ASCII, so nothing a node says can end a header or start another.
     */
    public Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        put(headers, "X-Grid-Node", nodeId);
        put(headers, "X-Grid-Node-Version", version);
        put(headers, "X-Grid-Component", component);
        put(headers, "X-Grid-Go-Version", goVersion);
        if (!os.isEmpty() || !arch.isEmpty()) {
            put(headers, "X-Grid-Go-Arch", os + "/" + arch);
        }
        return headers;
    }

    /**
     * Why this answer shows that the node restarted after {@code earlier}, if it does: its ID changed, its
     * uptime went down, or it has been up for less time than has certainly passed since {@code earlier}
     * (allowing for the uptime's whole seconds and the time each answer took to arrive). A node that reports
     * no uptime at all (0 both times) is judged by its ID only.
     */
    public Optional<String> restartSince(NodeStats earlier) {
        if (!nodeId.equals(earlier.nodeId)) {
            return Optional.of("its node ID changed from '" + printable(earlier.nodeId) + "' to '" + printable(nodeId) + "'");
        }
        if (uptimeSeconds < earlier.uptimeSeconds) {
            return Optional.of("its uptime went down from " + earlier.uptimeSeconds + " s to " + uptimeSeconds + " s");
        }
        if (uptimeSeconds == 0 && earlier.uptimeSeconds == 0) {
            return Optional.empty();
        }
        // The latest the node can have started by the earlier answer, against the earliest by this one.
        long latestStartBefore = earlier.answeredNanos - Duration.ofSeconds(earlier.uptimeSeconds).toNanos();
        long earliestStartNow = askedNanos - Duration.ofSeconds(uptimeSeconds + 1).toNanos();
        if (earliestStartNow > latestStartBefore) {
            return Optional.of("it has been up for " + uptimeSeconds + " s, less than the time since it said "
                    + earlier.uptimeSeconds + " s");
        }
        return Optional.empty();
    }

    private static void put(Map<String, String> headers, String name, String value) {
        String clean = printable(value);
        if (!clean.isBlank()) {
            headers.put(name, clean.strip());
        }
    }

    static String printable(String value) {
        StringBuilder clean = new StringBuilder(Math.min(value.length(), MAX_HEADER_CHARS));
        value.codePoints().limit(MAX_HEADER_CHARS)
                .forEach(c -> clean.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
        return clean.toString();
    }
}
