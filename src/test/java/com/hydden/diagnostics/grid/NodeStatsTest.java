package com.hydden.diagnostics.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NodeStatsTest {

    private static final long S = TimeUnit.SECONDS.toNanos(1);

    private static NodeStats stats(String id, long uptime, long askedNanos, long answeredNanos) {
        return new NodeStats(id, "1.4.2", "", "grid.client", uptime, 0, 0, "go1.22.3", 8, "linux", "amd64", "", askedNanos, answeredNanos);
    }

    @Test
    void headers_carryTheFacts_inOrder() {
        Map<String, String> headers = stats("n-7", 5, 0, 0).headers();

        assertEquals(List.of("X-Grid-Node", "X-Grid-Node-Version", "X-Grid-Component", "X-Grid-Go-Version", "X-Grid-Go-Arch"),
                List.copyOf(headers.keySet()));
        assertEquals("linux/amd64", headers.get("X-Grid-Go-Arch"));
        assertEquals("n-7", headers.get("X-Grid-Node"));
    }

    @Test
    void nodeStrings_cannotEndAHeader_norFillIt() {
        NodeStats evil = new NodeStats("a\r\nSet-Cookie: x=1", "v\u00e9", "", "", 0, 0, 0, "", 0, "", "", "", 0, 0);
        Map<String, String> headers = evil.headers();

        assertEquals("a??Set-Cookie: x=1", headers.get("X-Grid-Node"));
        assertEquals("v?", headers.get("X-Grid-Node-Version"));
        assertEquals(Map.of("X-Grid-Node", "a??Set-Cookie: x=1", "X-Grid-Node-Version", "v?"), headers,
                "empty facts have no header");
        assertEquals(NodeStats.MAX_HEADER_CHARS,
                new NodeStats("x".repeat(10_000), "", "", "", 0, 0, 0, "", 0, "", "", "", 0, 0).headers().get("X-Grid-Node").length());
    }

    @Test
    void sameRunOfTheNode_isNoRestart() {
        NodeStats before = stats("n", 100, 0, S / 10);
        NodeStats after = stats("n", 130, 30 * S, 30 * S + S / 10);

        assertEquals(java.util.Optional.empty(), after.restartSince(before));
    }

    @Test
    void uptimeThatWentDown_isARestart() {
        assertTrue(stats("n", 3, 30 * S, 30 * S).restartSince(stats("n", 100, 0, 0)).orElseThrow().contains("went down"));
    }

    @Test
    void uptimeShorterThanTheTimeSince_isARestart_evenWhenItGrew() {
        // up 100 s at the first answer; 20 s later it says 101 s: it started again 19 s ago at the latest
        NodeStats before = stats("n", 100, 0, S / 10);
        NodeStats after = stats("n", 101, 20 * S, 20 * S + S / 10);

        assertTrue(after.restartSince(before).isPresent());
    }

    @Test
    void changedNodeId_isARestart() {
        assertTrue(stats("n2", 130, 30 * S, 30 * S).restartSince(stats("n1", 100, 0, 0)).isPresent());
    }

    @Test
    void nodeReportingNoUptime_isJudgedByItsIdOnly() {
        assertEquals(java.util.Optional.empty(), stats("n", 0, 30 * S, 30 * S).restartSince(stats("n", 0, 0, 0)));
    }
}
