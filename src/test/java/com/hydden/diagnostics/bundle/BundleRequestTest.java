package com.hydden.diagnostics.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.pprof.ProfileType;
import com.hydden.diagnostics.problem.ProblemException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BundleRequestTest {

    private static BundleRequest parse(String json) {
        return BundleRequest.parse(json.getBytes(StandardCharsets.UTF_8), 300, 5);
    }

    private static String refusal(String json) {
        ProblemException e = assertThrows(ProblemException.class, () -> parse(json));
        assertEquals(400, e.problem().status());
        assertEquals("urn:hydden:diagnostics:problem:invalid-request", e.problem().type());
        return e.problem().detail();
    }

    @Test
    void listOfNodes_keepsOrder_defaultsModule_andLeavesSecondsAsAsked() {
        assertEquals(new BundleRequest(List.of("n2", "n1"), "grid.client",
                        List.of(ProfileType.GOROUTINE, ProfileType.CPU), null),
                parse("{\"clients\":[\"n2\",\"n1\"],\"profiles\":[\"goroutine\",\"cpu\"]}"));
    }

    @Test
    void star_meansEveryListedNode() {
        BundleRequest request = parse("{\"clients\":\"*\",\"profiles\":[\"heap\"],\"module\":\"m.x\"}");
        assertTrue(request.everyListedNode());
        assertEquals("m.x", request.module());
    }

    @Test
    void withoutCpu_thereAreNoSeconds() {
        assertNull(parse("{\"clients\":[\"n\"],\"profiles\":[\"heap\"]}").seconds());
    }

    @Test
    void cpuSeconds_withinLimit_areKept_unknownFieldsIgnored() {
        assertEquals(300, parse("{\"x\":[{}],\"clients\":[\"n\"],\"profiles\":[\"cpu\"],\"seconds\":300}").seconds());
    }

    @Test
    void clients_refusals_nameTheField() {
        assertTrue(refusal("{\"profiles\":[\"heap\"]}").startsWith("clients is required"));
        assertTrue(refusal("{\"clients\":[],\"profiles\":[\"heap\"]}").startsWith("clients must list 1 to 5"));
        assertEquals("clients must be an array of node IDs or \"*\"",
                refusal("{\"clients\":\"n1\",\"profiles\":[\"heap\"]}"));
        assertEquals("clients must be an array of strings", refusal("{\"clients\":[1],\"profiles\":[\"heap\"]}"));
        String six = IntStream.range(0, 6).mapToObj(i -> "\"n" + i + "\"").collect(Collectors.joining(","));
        assertEquals("clients has more than 5 entries", refusal("{\"clients\":[" + six + "],\"profiles\":[\"heap\"]}"));
        assertEquals("clients lists 'a' more than once", refusal("{\"clients\":[\"a\",\"a\"],\"profiles\":[\"heap\"]}"));
        for (String bad : List.of("..", ".", "a/b", "")) {
            assertTrue(refusal("{\"clients\":[\"" + bad + "\"],\"profiles\":[\"heap\"]}").startsWith("clients must hold node IDs"),
                    bad);
        }
    }

    @Test
    void profiles_refusals_nameTheField() {
        assertTrue(refusal("{\"clients\":[\"n\"]}").startsWith("profiles is required"));
        assertTrue(refusal("{\"clients\":[\"n\"],\"profiles\":[]}").startsWith("profiles is required"));
        assertTrue(refusal("{\"clients\":[\"n\"],\"profiles\":[\"stats\"]}").startsWith("profiles must hold only"));
        assertEquals("profiles lists 'heap' more than once",
                refusal("{\"clients\":[\"n\"],\"profiles\":[\"heap\",\"heap\"]}"));
        assertEquals("profiles must be an array of strings", refusal("{\"clients\":[\"n\"],\"profiles\":\"heap\"}"));
    }

    @Test
    void seconds_refusals_nameTheField() {
        assertEquals(5, parse("{\"clients\":[\"n\"],\"profiles\":[\"heap\"],\"seconds\":5}").seconds(),
                "seconds without cpu: the window of delta profiles");
        assertEquals("seconds must be an integer from 1 to 300",
                refusal("{\"clients\":[\"n\"],\"profiles\":[\"cpu\"],\"seconds\":301}"));
        assertEquals("seconds must be an integer from 1 to 300",
                refusal("{\"clients\":[\"n\"],\"profiles\":[\"cpu\"],\"seconds\":0}"));
        assertEquals("seconds must be an integer", refusal("{\"clients\":[\"n\"],\"profiles\":[\"cpu\"],\"seconds\":1.5}"));
    }

    @Test
    void bodyRules_areThoseOfPprof() {
        assertEquals("field 'clients' appears more than once",
                refusal("{\"clients\":[\"n\"],\"clients\":[\"m\"],\"profiles\":[\"heap\"]}"));
        assertEquals("the request body must be a JSON object", refusal("[]"));
        assertTrue(refusal("{\"clients\":[\"n\"").startsWith("malformed JSON"));
        assertEquals("module must be 1-128 characters of A-Z a-z 0-9 . _ -",
                refusal("{\"clients\":[\"n\"],\"profiles\":[\"heap\"],\"module\":\"a b\"}"));
        String huge = "{\"clients\":[\"n\"],\"profiles\":[\"heap\"],\"pad\":\"" + "x".repeat(70_000) + "\"}";
        assertEquals("the request body is larger than 65536 bytes", refusal(huge));
    }
}
