package com.hydden.diagnostics.pprof;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.problem.ProblemException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PprofRequestTest {

    private static PprofRequest parse(String json) {
        return PprofRequest.parse(json.getBytes(StandardCharsets.UTF_8), 300);
    }

    private static String refusal(String json) {
        ProblemException e = assertThrows(ProblemException.class, () -> parse(json));
        assertEquals(400, e.problem().status());
        return e.problem().detail();
    }

    @Test
    void minimalHeapRequest_defaultsModuleAndNoSeconds() {
        assertEquals(new PprofRequest("n1", "grid.client", ProfileType.HEAP, 0),
                parse("{\"client\":\"n1\",\"profile\":\"heap\"}"));
    }

    @Test
    void cpuWithoutSeconds_samplesThirtySeconds() {
        assertEquals(30, parse("{\"client\":\"n1\",\"profile\":\"cpu\"}").seconds());
    }

    @Test
    void cpuSeconds_withinLimit_areKept() {
        assertEquals(new PprofRequest("a.b_c-9", "mod.x", ProfileType.CPU, 300),
                parse("{\"client\":\"a.b_c-9\",\"module\":\"mod.x\",\"profile\":\"cpu\",\"seconds\":300}"));
    }

    @Test
    void unknownFields_ofAnyShape_areIgnored() {
        assertEquals(ProfileType.GOROUTINE, parse("{\"x\":{\"y\":[1,{\"z\":null}]},\"client\":\"n\","
                + "\"profile\":\"goroutine\",\"extra\":[[]],\"flag\":true,\"n\":1.5}").profile());
    }

    @Test
    void everyProfileType_isAccepted() {
        for (ProfileType type : ProfileType.values()) {
            assertEquals(type, parse("{\"client\":\"n\",\"profile\":\"" + type.wireName() + "\"}").profile());
        }
    }

    @Test
    void missingClient_saysSo() {
        assertEquals("client is required", refusal("{\"profile\":\"heap\"}"));
    }

    @Test
    void missingProfile_saysSo() {
        assertTrue(refusal("{\"client\":\"n\"}").startsWith("profile is required"));
    }

    @Test
    void unknownProfile_listsTheValidOnes() {
        assertEquals("profile must be one of cpu, allocs, heap, goroutine, block, mutex, threadcreate",
                refusal("{\"client\":\"n\",\"profile\":\"trace\"}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "evil.example:80", "a/../b", "x@y", "%2e%2e", "a b", " a", "a\\n", "a\\u0000",
            "\\u0430bc", "caf\\u00e9", "[::1]", "host#frag", "a?b"})
    void clientOutsideTheAlphabet_isRefused(String client) {
        assertTrue(refusal("{\"client\":\"" + client + "\",\"profile\":\"heap\"}").startsWith("client must be"));
    }

    @Test
    void clientOf129Characters_isRefused() {
        refusal("{\"client\":\"" + "a".repeat(129) + "\",\"profile\":\"heap\"}");
        assertEquals(128, parse("{\"client\":\"" + "a".repeat(128) + "\",\"profile\":\"heap\"}").client().length());
    }

    @Test
    void badModule_isRefused() {
        assertTrue(refusal("{\"client\":\"n\",\"module\":\"a:b\",\"profile\":\"heap\"}").startsWith("module must be"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "301", "99999999999999999999999", "-99999999999999999999999"})
    void secondsOutOfRange_isRefused(String seconds) {
        String detail = refusal("{\"client\":\"n\",\"profile\":\"cpu\",\"seconds\":" + seconds + "}");
        assertTrue(detail.startsWith("seconds must be"), detail);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5", "30.0", "3e1", "1e400", "\"30\"", "true", "null", "[30]"})
    void secondsOfWrongType_isRefused(String seconds) {
        assertEquals("seconds must be an integer",
                refusal("{\"client\":\"n\",\"profile\":\"cpu\",\"seconds\":" + seconds + "}"));
    }

    @Test
    void secondsOfThousandsOfDigits_isOutOfRangeNotAnError() {
        String detail = refusal("{\"client\":\"n\",\"profile\":\"cpu\",\"seconds\":" + "9".repeat(5000) + "}");
        assertEquals("seconds must be an integer from 1 to 300", detail);
    }

    @ParameterizedTest
    @ValueSource(strings = {"allocs", "heap", "block", "mutex", "goroutine", "threadcreate"})
    void secondsWithAnotherProfile_askForADelta(String profile) {
        PprofRequest request = parse("{\"client\":\"n\",\"profile\":\"" + profile + "\",\"seconds\":5}");
        assertEquals(5, request.seconds());
        assertTrue(request.delta());
    }

    @Test
    void snapshotAndCpu_areNoDelta() {
        assertFalse(parse("{\"client\":\"n\",\"profile\":\"heap\"}").delta());
        assertFalse(parse("{\"client\":\"n\",\"profile\":\"cpu\",\"seconds\":5}").delta());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "301", "1.5", "\"5\""})
    void deltaSecondsOutOfRangeOrNotInteger_isRefused(String seconds) {
        String detail = refusal("{\"client\":\"n\",\"profile\":\"heap\",\"seconds\":" + seconds + "}");
        assertTrue(detail.startsWith("seconds must be"), detail);
    }

    @Test
    void wrongTypes_nameTheField() {
        assertEquals("client must be a string", refusal("{\"client\":5,\"profile\":\"heap\"}"));
        assertEquals("profile must be a string", refusal("{\"client\":\"n\",\"profile\":[\"heap\"]}"));
        assertEquals("module must be a string", refusal("{\"client\":\"n\",\"module\":null,\"profile\":\"heap\"}"));
    }

    @Test
    void duplicateKeys_areRefused() {
        assertEquals("field 'client' appears more than once",
                refusal("{\"client\":\"a\",\"client\":\"b\",\"profile\":\"heap\"}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "[]", "\"x\"", "42", "null", "{", "{\"client\":}", "{\"client\":\"n\"} {}",
            "{'client':'n'}", "{\"client\":\"n\",}"})
    void notASingleObject_isRefused(String body) {
        refusal(body);
    }

    @Test
    void deepNesting_isRefused() {
        String deep = "{\"x\":" + "[".repeat(30_000) + "]".repeat(30_000) + ",\"client\":\"n\",\"profile\":\"heap\"}";
        assertEquals("the request body nests deeper than 64 levels", refusal(deep));
    }

    @Test
    void nestingAtTheLimit_isAccepted() {
        String nested = "{\"x\":" + "[".repeat(64) + "]".repeat(64) + ",\"client\":\"n\",\"profile\":\"heap\"}";
        assertEquals("n", parse(nested).client());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"x\":[[[[", "{\"x\":{\"y\":{", "{\"x\":[1,{\"a\":[", "{\"x\":[\"unterminated"})
    void bodyEndingInsideAnUnknownField_isRefusedPromptly(String body) {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> refusal(body));
    }

    @Test
    void invalidUtf8_isRefused() {
        byte[] body = {'{', '"', 'c', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        ProblemException e = assertThrows(ProblemException.class, () -> PprofRequest.parse(body, 300));
        assertEquals("the request body is not valid UTF-8", e.problem().detail());
    }

    @Test
    void bodyOverTheLimit_isRefused() {
        byte[] body = new byte[PprofRequest.MAX_BODY_BYTES + 1];
        ProblemException e = assertThrows(ProblemException.class,
                () -> PprofRequest.read(new ByteArrayInputStream(body), 300));
        assertTrue(e.problem().detail().contains("larger than 65536 bytes"));
    }

    @Test
    void bodyAtTheLimit_isParsed() throws Exception {
        String json = "{\"client\":\"n\",\"profile\":\"heap\",\"pad\":\"";
        String padded = json + "x".repeat(PprofRequest.MAX_BODY_BYTES - json.length() - 2) + "\"}";
        assertEquals(PprofRequest.MAX_BODY_BYTES, padded.length());
        assertEquals("n", PprofRequest.read(new ByteArrayInputStream(padded.getBytes(StandardCharsets.UTF_8)), 300).client());
    }

    @Test
    void controlCharactersInEchoedFieldNames_areMasked() {
        String detail = refusal("{\"a\\u0007b\":1,\"a\\u0007b\":2}");
        assertEquals("field 'a?b' appears more than once", detail);
    }
}
