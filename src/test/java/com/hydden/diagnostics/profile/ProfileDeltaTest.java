package com.hydden.diagnostics.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.profile.proto.Location;
import com.hydden.diagnostics.profile.proto.Profile;
import com.hydden.diagnostics.profile.proto.Sample;
import java.io.InputStream;
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

    @Test
    void realGoHeapSnapshots_allocIsTheDifferencePerStack_inUseTheSeconds() throws Exception {
        Profile first = go("go-heap-0.pb.gz");
        Profile second = go("go-heap-1.pb.gz");

        Profile delta = ProfileDelta.between(first, second, 1, List.of());

        Map<List<String>, long[]> before = sumsByStack(first);
        Map<List<String>, long[]> after = sumsByStack(second);
        Map<List<String>, long[]> got = sumsByStack(delta);
        Set<List<String>> stacks = new HashSet<>(after.keySet());
        stacks.addAll(before.keySet());
        int checked = 0;
        for (List<String> stack : stacks) {
            long[] b = before.getOrDefault(stack, new long[4]);
            long[] a = after.getOrDefault(stack, new long[4]);
            long[] expected = {a[0] - b[0], a[1] - b[1], a[2], a[3]};
            long[] actual = got.getOrDefault(stack, new long[4]);
            assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(actual), stack.toString());
            checked++;
        }
        assertTrue(checked > 5, "the snapshots have stacks to compare");
        assertTrue(got.values().stream().allMatch(v -> v[0] >= 0 && v[1] >= 0), "an alloc delta went negative");
        assertTrue(delta.getMappingCount() <= second.getMappingCount(), "a mapping twice");
        assertEquals(second.getStringTable((int) second.getMapping(0).getFilename()),
                delta.getStringTable((int) delta.getMapping(0).getFilename()), "the main binary stays the first mapping");
    }

    @Test
    void realGoGoroutineSnapshots_countTheGoroutinesStartedBetween() throws Exception {
        Profile delta = ProfileDelta.between(go("go-goroutine-0.pb.gz"), go("go-goroutine-1.pb.gz"), 1, List.of());

        long sleeping = sumsByStack(delta).entrySet().stream()
                .filter(e -> e.getKey().contains("main.main.func1"))
                .mapToLong(e -> e.getValue()[0])
                .sum();
        assertEquals(5, sleeping, "five goroutines were started between the snapshots");
    }

    private static Profile go(String name) throws Exception {
        try (InputStream in = ProfileDeltaTest.class.getResourceAsStream("/pprof/" + name)) {
            return ProfileCodec.decode(in, 1 << 24);
        }
    }

    /** Values summed by stack of function names (inlined frames included), leaf first. */
    private static Map<List<String>, long[]> sumsByStack(Profile p) {
        Map<Long, String> functions = new HashMap<>();
        p.getFunctionList().forEach(f -> functions.put(f.getId(), p.getStringTable((int) f.getName())));
        Map<Long, Location> locations = new HashMap<>();
        p.getLocationList().forEach(l -> locations.put(l.getId(), l));
        Map<List<String>, long[]> sums = new HashMap<>();
        for (Sample s : p.getSampleList()) {
            List<String> stack = s.getLocationIdList().stream()
                    .flatMap(id -> locations.get(id).getLineList().stream())
                    .map(line -> functions.get(line.getFunctionId()))
                    .toList();
            long[] sum = sums.computeIfAbsent(stack, k -> new long[s.getValueCount()]);
            for (int i = 0; i < sum.length; i++) {
                sum[i] += s.getValue(i);
            }
        }
        sums.values().removeIf(v -> java.util.Arrays.stream(v).allMatch(x -> x == 0));
        return sums;
    }

    private static Set<String> functionNames(Profile p) {
        Set<String> names = new HashSet<>();
        p.getFunctionList().forEach(f -> names.add(p.getStringTable((int) f.getName())));
        return names;
    }
}
