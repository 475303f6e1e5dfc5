package com.hydden.diagnostics.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.problem.ProblemException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeDirectoryTest {

    private static NodeDirectory directory(String nodes, String template) {
        NodeDirectory directory = new NodeDirectory();
        directory.nodesConfig = Optional.ofNullable(nodes);
        directory.templateConfig = Optional.ofNullable(template);
        directory.load();
        return directory;
    }

    @Test
    void listedNodes_resolveToTheirAddress() {
        NodeDirectory directory = directory(" a=10.0.0.1:7443 , b.c=node-b.internal:1,v6=[::1]:9000", null);
        assertEquals(new NodeAddress("10.0.0.1", 7443), directory.resolve("a"));
        assertEquals(new NodeAddress("node-b.internal", 1), directory.resolve("b.c"));
        assertEquals(new NodeAddress("[::1]", 9000), directory.resolve("v6"));
        assertEquals("::1", directory.resolve("v6").socketHost());
    }

    @Test
    void unlistedNode_usesTheTemplate() {
        NodeDirectory directory = directory("a=10.0.0.1:7443", "{client}.grid.internal:7443");
        assertEquals(new NodeAddress("a", 7443).port(), directory.resolve("a").port());
        assertEquals("10.0.0.1", directory.resolve("a").host());
        assertEquals(new NodeAddress("node-7.grid.internal", 7443), directory.resolve("node-7"));
    }

    @Test
    void unknownNodeWithoutTemplate_is404() {
        ProblemException e = assertThrows(ProblemException.class, () -> directory("a=h:1", null).resolve("b"));
        assertEquals(404, e.problem().status());
    }

    @Test
    void nodeIdThatCannotBeAHostName_is404NotAConnection() {
        NodeDirectory directory = directory(null, "{client}.grid.internal:7443");
        for (String id : new String[] {"a_b", "-a", "..", "a..b"}) {
            ProblemException e = assertThrows(ProblemException.class, () -> directory.resolve(id), id);
            assertEquals(404, e.problem().status());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "a=", "=h:1", "a=h", "a=h:0", "a=h:65536", "a=h:x", "a b=h:1", "a=h/x:1",
            "a=h:1,a=h:2", "a=user@h:1", "a=h:1:2"})
    void malformedNodeList_failsNamingTheKey(String nodes) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeDirectory.parseNodes(nodes));
        assertTrue(e.getMessage().startsWith("diagnostics.grid.nodes: "), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"grid.internal:7443", "{client}.{client}:1", "{client}.grid", "host:{client}",
            "{client}/x:1", "{client}.grid:99999"})
    void malformedTemplate_failsNamingTheKey(String template) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeDirectory.checkTemplate(template));
        assertTrue(e.getMessage().startsWith("diagnostics.grid.address-template: "), e.getMessage());
    }

    @Test
    void emptyList_isEmpty() {
        assertEquals(Map.of(), NodeDirectory.parseNodes(" , ,"));
    }
}
