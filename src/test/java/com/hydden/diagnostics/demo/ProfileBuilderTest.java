package com.hydden.diagnostics.demo;

import static com.hydden.diagnostics.demo.PprofChecks.assertWellFormed;
import static com.hydden.diagnostics.demo.PprofChecks.parse;
import static com.hydden.diagnostics.demo.PprofChecks.stack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.hydden.diagnostics.profile.proto.Profile;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProfileBuilderTest {

    private final ProfileBuilder builder = new ProfileBuilder()
            .sampleType("contentions", "count")
            .sampleType("delay", "nanoseconds")
            .period("contentions", "count", 1);

    @Test
    void samplesOfOneStack_addUp_andShareFunctionsAndLocations() throws IOException {
        builder.addFrame("[thread a]", 1, 10);
        builder.addFrame("[thread a]", 2, 20);
        builder.addFrame("[thread b]", 1, 5);

        Profile profile = parse(builder.gzipped());

        assertWellFormed(profile);
        assertEquals(2, profile.getSampleCount());
        assertEquals(List.of(3L, 30L), profile.getSample(0).getValueList());
        assertEquals(List.of("[thread a]"), stack(profile, profile.getSample(0)));
        assertEquals(2, profile.getFunctionCount());
        assertEquals(2, profile.getLocationCount());
    }

    @Test
    void javaFrames_becomeOneFunctionPerMethodAndOneLocationPerLine() {
        StackTraceElement[] stack = {
                new StackTraceElement("a.B", "run", "B.java", 10),
                new StackTraceElement("a.B", "run", "B.java", 12),
                new StackTraceElement("a.C", "read0", null, -2),
        };
        builder.addStack(stack, 1, 1);

        Profile profile = builder.build();

        assertWellFormed(profile);
        assertEquals(List.of("a.B.run", "a.B.run", "a.C.read0"), stack(profile, profile.getSample(0)));
        assertEquals(2, profile.getFunctionCount());
        assertEquals(3, profile.getLocationCount());
        assertEquals(0, profile.getLocation(2).getLine(0).getLine(), "a native frame has no line");
    }

    @Test
    void wrongNumberOfValues_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> builder.addFrame("[thread a]", 1));
    }
}
