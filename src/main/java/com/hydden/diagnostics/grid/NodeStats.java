package com.hydden.diagnostics.grid;

import com.hydden.diagnostics.grid.api.Stats;

/**
 * What a node's {@code GetStats} reports, as plain values.
 *
 * @param diskTotalBytes unsigned, as the node sends it ({@link Long#toUnsignedString})
 * @param diskFreeBytes  unsigned, as the node sends it
 */
public record NodeStats(String nodeId, String version, String error, String component, long uptimeSeconds,
                        long diskTotalBytes, long diskFreeBytes, String goVersion, int maxProcs, String arch,
                        String os, String env) {

    static NodeStats of(Stats stats) {
        return new NodeStats(stats.getNID(), stats.getVersion(), stats.getError(), stats.getComponent(),
                stats.getUptime(), stats.getDisk().getTotal(), stats.getDisk().getFree(),
                stats.getRuntime().getVersion(), stats.getRuntime().getMaxProcs(), stats.getRuntime().getArch(),
                stats.getRuntime().getOS(), stats.getRuntime().getEnv());
    }
}
