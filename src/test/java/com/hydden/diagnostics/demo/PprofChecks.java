package com.hydden.diagnostics.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.profile.proto.Function;
import com.hydden.diagnostics.profile.proto.Line;
import com.hydden.diagnostics.profile.proto.Location;
import com.hydden.diagnostics.profile.proto.Mapping;
import com.hydden.diagnostics.profile.proto.Profile;
import com.hydden.diagnostics.profile.proto.Sample;
import com.hydden.diagnostics.profile.proto.ValueType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/** Reads pprof files and checks the rules every pprof file keeps, whoever wrote it. */
public final class PprofChecks {

    private PprofChecks() {
    }

    public static Profile parse(byte[] gzipped) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return Profile.parseFrom(in);
        }
    }

    /** "type/unit" of each sample type, in order. */
    public static List<String> sampleTypes(Profile profile) {
        return profile.getSampleTypeList().stream().map(t -> valueType(profile, t)).toList();
    }

    static String valueType(Profile profile, ValueType type) {
        return string(profile, type.getType()) + "/" + string(profile, type.getUnit());
    }

    static String string(Profile profile, long index) {
        return profile.getStringTable(Math.toIntExact(index));
    }

    /** The names of the functions of the sample's stack, leaf first. */
    public static List<String> stack(Profile profile, Sample sample) {
        return sample.getLocationIdList().stream()
                .map(id -> profile.getLocationList().stream().filter(l -> l.getId() == id).findFirst().orElseThrow())
                .flatMap(location -> location.getLineList().stream())
                .map(line -> functionName(profile, line))
                .toList();
    }

    /** The summed value {@code valueIndex} of samples whose leaf function is {@code leaf}. */
    static long valueAtLeaf(Profile profile, String leaf, int valueIndex) {
        return profile.getSampleList().stream()
                .filter(s -> stack(profile, s).get(0).equals(leaf))
                .mapToLong(s -> s.getValue(valueIndex))
                .sum();
    }

    public static void assertWellFormed(Profile profile) {
        int strings = profile.getStringTableCount();
        assertTrue(strings > 0, "string table is empty");
        assertEquals("", profile.getStringTable(0), "string_table[0]");
        assertTrue(profile.getSampleTypeCount() > 0, "no sample types");
        profile.getSampleTypeList().forEach(type -> assertValueType(profile, type));
        assertValueType(profile, profile.getPeriodType());
        assertIndex(profile, profile.getDefaultSampleType());
        assertTrue(profile.getTimeNanos() > 0, "time_nanos");
        assertTrue(profile.getDurationNanos() > 0, "duration_nanos");

        Set<Long> mappingIds = new HashSet<>();
        for (Mapping mapping : profile.getMappingList()) {
            assertNotEquals(0, mapping.getId(), "mapping id");
            assertTrue(mappingIds.add(mapping.getId()), "duplicate mapping id " + mapping.getId());
            assertIndex(profile, mapping.getFilename());
        }
        Set<Long> functionIds = new HashSet<>();
        for (Function function : profile.getFunctionList()) {
            assertNotEquals(0, function.getId(), "function id");
            assertTrue(functionIds.add(function.getId()), "duplicate function id " + function.getId());
            assertIndex(profile, function.getName());
            assertIndex(profile, function.getSystemName());
            assertIndex(profile, function.getFilename());
        }
        Set<Long> locationIds = new HashSet<>();
        for (Location location : profile.getLocationList()) {
            assertNotEquals(0, location.getId(), "location id");
            assertTrue(locationIds.add(location.getId()), "duplicate location id " + location.getId());
            assertTrue(location.getMappingId() == 0 || mappingIds.contains(location.getMappingId()),
                    "location " + location.getId() + " names unknown mapping " + location.getMappingId());
            assertTrue(location.getLineCount() > 0, "location " + location.getId() + " has no line");
            for (Line line : location.getLineList()) {
                assertTrue(functionIds.contains(line.getFunctionId()),
                        "location " + location.getId() + " names unknown function " + line.getFunctionId());
            }
        }
        for (Sample sample : profile.getSampleList()) {
            assertEquals(profile.getSampleTypeCount(), sample.getValueCount(), "values per sample");
            assertTrue(sample.getLocationIdCount() > 0, "sample without a stack");
            sample.getLocationIdList().forEach(id -> assertTrue(locationIds.contains(id), "unknown location " + id));
        }
    }

    private static String functionName(Profile profile, Line line) {
        Function function = profile.getFunctionList().stream()
                .filter(f -> f.getId() == line.getFunctionId()).findFirst().orElseThrow();
        return string(profile, function.getName());
    }

    private static void assertValueType(Profile profile, ValueType type) {
        assertIndex(profile, type.getType());
        assertIndex(profile, type.getUnit());
        assertNotEquals(0, type.getType(), "value type without a name");
    }

    private static void assertIndex(Profile profile, long index) {
        assertTrue(index >= 0 && index < profile.getStringTableCount(), "string index " + index + " out of range");
    }
}
