package com.hydden.diagnostics.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.profile.proto.Location;
import com.hydden.diagnostics.profile.proto.Profile;
import com.hydden.diagnostics.profile.proto.Sample;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProfileDeltaTest {

    private static final List<String> A = List.of("runtime.mallocgc", "main.load", "main.main");
    private static final List<String> B = List.of("runtime.mallocgc", "main.parse", "main.main");
    private static final List<String> C = List.of("runtime.mallocgc", "main.cache", "main.main");

    @Test
    void sameStacksUnderDifferentIdsStringTablesAndMappingStarts_cancel() throws Exception {
        Profile first = HandBuilt.heap(100, 0x40_0000, "padding", "more").sample(A, 5, 500, 1, 100).sample(B, 2, 20, 2, 20).build();
        Profile second = HandBuilt.heap(7000, 0x7f00_0000L).sample(B, 2, 20, 0, 0).sample(A, 5, 500, 0, 0).build();

        Profile delta = ProfileDelta.between(first, second, 1, List.of());

        assertEquals(List.of(), delta.getSampleList(), "identical allocations must cancel");
        assertEquals(0, delta.getLocationCount(), "nothing unreferenced is written");
        assertEquals(0, delta.getFunctionCount());
        assertEquals(0, delta.getMappingCount());
    }

    @Test
    void growingHeap_allocDeltasAreTheDifference_neverNegative_inUseIsTheSecondsValues() throws Exception {
        Profile first = HandBuilt.heap(100, 0x40_0000, "x").sample(A, 5, 500, 4, 400).sample(B, 1, 10, 1, 10).build();
        Profile second = HandBuilt.heap(1, 0x55_0000).sample(C, 3, 30, 3, 30).sample(A, 8, 800, 2, 200)
                .sample(B, 1, 10, 1, 10).build();

        Map<List<String>, List<Long>> values = HandBuilt.valuesByStack(ProfileDelta.between(first, second, 1, List.of()));

        assertEquals(List.of(3L, 300L, 2L, 200L), values.get(A));
        assertEquals(List.of(3L, 30L, 3L, 30L), values.get(C));
        assertEquals(List.of(0L, 0L, 1L, 10L), values.get(B), "no new allocation, but still in use");
        values.values().forEach(v -> assertTrue(v.get(0) >= 0 && v.get(1) >= 0, "negative alloc delta " + v));
    }

    @Test
    void allZeroSamples_areDropped_andDuplicatesSummed() throws Exception {
        Profile first = HandBuilt.heap(10, 0).sample(A, 1, 10, 0, 0).build();
        Profile second = HandBuilt.heap(20, 0).sample(A, 1, 10, 0, 0).sample(B, 1, 5, 0, 0).sample(B, 2, 6, 0, 0).build();

        Profile delta = ProfileDelta.between(first, second, 1, List.of());

        assertEquals(Map.of(B, List.of(3L, 11L, 0L, 0L)), HandBuilt.valuesByStack(delta));
        assertEquals(Set.of("runtime.mallocgc", "main.parse", "main.main"), functionNames(delta),
                "main.load is referenced by no remaining sample");
    }

    @Test
    void goroutines_areSubtracted_andMayGoNegative() throws Exception {
        Profile first = new HandBuilt(1, 0).types("goroutine/count").sample(A, 10).sample(B, 4).build();
        Profile second = new HandBuilt(50, 0, "pad").types("goroutine/count").sample(A, 3).sample(C, 1).build();

        Map<List<String>, List<Long>> values = HandBuilt.valuesByStack(ProfileDelta.between(first, second, 1, List.of()));

        assertEquals(Map.of(A, List.of(-7L), B, List.of(-4L), C, List.of(1L)), values);
    }

    @Test
    void labels_matchWhateverTheirOrder() throws Exception {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        labels.put("b", "2");
        labels.put("a", "1");
        Map<String, String> reversed = new java.util.LinkedHashMap<>();
        reversed.put("a", "1");
        reversed.put("b", "2");
        Profile first = new HandBuilt(1, 0).types("contentions/count").sample(A, labels, 4).build();
        Profile second = new HandBuilt(9, 0, "z").types("contentions/count").sample(A, reversed, 6)
                .sample(A, Map.of("a", "other"), 1).build();

        Profile delta = ProfileDelta.between(first, second, 1, List.of());

        assertEquals(2, delta.getSampleCount());
        Map<String, Long> byLabels = new HashMap<>();
        for (Sample s : delta.getSampleList()) {
            StringBuilder key = new StringBuilder();
            s.getLabelList().forEach(l -> key.append(delta.getStringTable((int) l.getKey())).append('=')
                    .append(delta.getStringTable((int) l.getStr())).append(';'));
            byLabels.put(key.toString(), s.getValue(0));
        }
        assertEquals(Map.of("a=1;b=2;", 2L, "a=other;", 1L), byLabels);
    }

    @Test
    void mismatchedSampleTypes_areRefused() {
        Profile first = new HandBuilt(1, 0).types("contentions/count", "delay/nanoseconds").build();
        Profile second = new HandBuilt(1, 0).types("contentions/count").build();

        IncompatibleProfilesException e = assertThrows(IncompatibleProfilesException.class,
                () -> ProfileDelta.between(first, second, 1, List.of()));
        assertTrue(e.getMessage().contains("sample types"), e.getMessage());
    }

    @Test
    void mismatchedPeriodTypes_areRefused() {
        Profile first = new HandBuilt(1, 0).types("contentions/count").period("contentions", "count", 1).build();
        Profile second = new HandBuilt(1, 0).types("contentions/count").period("delay", "nanoseconds", 1).build();

        IncompatibleProfilesException e = assertThrows(IncompatibleProfilesException.class,
                () -> ProfileDelta.between(first, second, 1, List.of()));
        assertTrue(e.getMessage().contains("period types"), e.getMessage());
    }

    @Test
    void header_isTheSecondsWithTheGivenDurationAndComments() throws Exception {
        Profile first = HandBuilt.heap(1, 0).time(1_000).sample(A, 1, 1, 1, 1).build();
        Profile second = HandBuilt.heap(2, 0).time(9_000).sample(A, 2, 2, 2, 2).build();

        Profile delta = ProfileDelta.between(first, second, 8_000, List.of("delta of node n1"));

        assertEquals(9_000, delta.getTimeNanos());
        assertEquals(8_000, delta.getDurationNanos());
        assertEquals(524288, delta.getPeriod());
        assertEquals("space/bytes", delta.getStringTable((int) delta.getPeriodType().getType()) + "/"
                + delta.getStringTable((int) delta.getPeriodType().getUnit()));
        assertEquals(List.of("delta of node n1"),
                delta.getCommentList().stream().map(i -> delta.getStringTable(i.intValue())).toList());
        assertEquals("", delta.getStringTable(0));
        assertEquals(delta.getStringTableCount(), new HashSet<>(delta.getStringTableList()).size(), "one string table, no duplicates");
    }

    @Test
    void locationsKeepTheirAddressRelativeToTheMergedMapping() throws Exception {
        Profile first = HandBuilt.heap(1, 0x40_0000).sample(A, 1, 1, 0, 0).build();
        Profile second = HandBuilt.heap(2, 0x90_0000).sample(A, 3, 3, 0, 0).build();

        Profile delta = ProfileDelta.between(first, second, 1, List.of());

        assertEquals(1, delta.getMappingCount());
        long start = delta.getMapping(0).getMemoryStart();
        for (Location l : delta.getLocationList()) {
            assertTrue(l.getAddress() >= start && l.getAddress() < delta.getMapping(0).getMemoryLimit(),
                    "address outside its mapping: " + l);
        }
    }

    @Test
    void referenceToAMissingLocation_isMalformed() {
        Profile good = new HandBuilt(1, 0).types("goroutine/count").sample(A, 1).build();
        Profile broken = good.toBuilder().setSample(0, good.getSample(0).toBuilder().setLocationId(0, 12345)).build();

        assertThrows(MalformedProfileException.class, () -> ProfileDelta.between(good, broken, 1, List.of()));
    }

    private static Set<String> functionNames(Profile p) {
        Set<String> names = new HashSet<>();
        p.getFunctionList().forEach(f -> names.add(p.getStringTable((int) f.getName())));
        return names;
    }
}
