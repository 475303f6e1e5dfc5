package com.hydden.diagnostics.profile;

import com.hydden.diagnostics.profile.proto.Function;
import com.hydden.diagnostics.profile.proto.Label;
import com.hydden.diagnostics.profile.proto.Line;
import com.hydden.diagnostics.profile.proto.Location;
import com.hydden.diagnostics.profile.proto.Mapping;
import com.hydden.diagnostics.profile.proto.Profile;
import com.hydden.diagnostics.profile.proto.Sample;
import com.hydden.diagnostics.profile.proto.ValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * What happened between two snapshots of one profile: the second minus the first, as Go's
 * {@code net/http/pprof} computes a delta profile (the first scaled by -1, merged with the second).
 *
 * <p>The two snapshots number their strings, functions, locations and mappings independently, so entries
 * are matched by content, never by index or ID, as pprof's own merge does: a function by its name, system
 * name, file and start line; a mapping by its size, file offset and build ID (or file name, when it has none);
 * a location by its mapping, its address relative to that mapping's start, its lines and whether it is folded;
 * a sample by its locations and its sorted labels. Samples with the same content are summed, samples whose
 * values are all zero are dropped, and only what the remaining samples reference is written, through one new
 * string table.
 *
 * <p>One deliberate difference from Go: values of sample types named {@code inuse_*} (the heap's live
 * objects and bytes) are the second snapshot's, not the difference. They describe a state, not events;
 * subtracting them yields the negative in-use values pprof users report as corrupt profiles.
 */
public final class ProfileDelta {

    static final String IN_USE_PREFIX = "inuse_";
    private static final long MAPPING_SIZE_ROUNDING = 0x1000;

    // Everything interned by content, in first-seen order; indexes into these lists are the merged identities.
    private final List<MappingKey> mappings = new ArrayList<>();
    private final List<Mapping> mappingFields = new ArrayList<>();
    private final List<String[]> mappingNames = new ArrayList<>();
    private final Map<MappingKey, Integer> mappingIndex = new HashMap<>();
    private final List<FunctionKey> functions = new ArrayList<>();
    private final Map<FunctionKey, Integer> functionIndex = new HashMap<>();
    private final List<LocationKey> locations = new ArrayList<>();
    private final Map<LocationKey, Integer> locationIndex = new HashMap<>();
    private final Map<SampleKey, long[]> samples = new LinkedHashMap<>();
    private final int valueCount;

    private ProfileDelta(int valueCount) {
        this.valueCount = valueCount;
    }

    /**
     * {@code second} minus {@code first}. The result has the second's header (sample and period types, time,
     * default sample type, frame filters), the larger period of the two, {@code durationNanos} as its duration,
     * and the second's comments followed by {@code comments}.
     *
     * @throws IncompatibleProfilesException when the sample types or period types differ
     * @throws MalformedProfileException     when a profile references what it does not contain
     */
    public static Profile between(Profile first, Profile second, long durationNanos, List<String> comments)
            throws IncompatibleProfilesException, MalformedProfileException {
        Strings firstStrings = new Strings(first);
        Strings secondStrings = new Strings(second);
        List<String> firstTypes = valueTypes(first.getSampleTypeList(), firstStrings);
        List<String> secondTypes = valueTypes(second.getSampleTypeList(), secondStrings);
        if (!firstTypes.equals(secondTypes)) {
            throw new IncompatibleProfilesException("the snapshots have different sample types: " + firstTypes
                    + " and " + secondTypes);
        }
        String firstPeriod = first.hasPeriodType() ? valueType(first.getPeriodType(), firstStrings) : "none";
        String secondPeriod = second.hasPeriodType() ? valueType(second.getPeriodType(), secondStrings) : "none";
        if (!firstPeriod.equals(secondPeriod)) {
            throw new IncompatibleProfilesException("the snapshots have different period types: " + firstPeriod
                    + " and " + secondPeriod);
        }
        long[] firstScale = new long[firstTypes.size()];
        long[] secondScale = new long[firstTypes.size()];
        for (int i = 0; i < firstScale.length; i++) {
            firstScale[i] = firstTypes.get(i).startsWith(IN_USE_PREFIX) ? 0 : -1;
            secondScale[i] = 1;
        }
        ProfileDelta delta = new ProfileDelta(firstTypes.size());
        delta.add(first, firstStrings, firstScale);
        delta.add(second, secondStrings, secondScale);
        return delta.write(second, secondStrings, Math.max(first.getPeriod(), second.getPeriod()), durationNanos,
                comments);
    }

    private void add(Profile profile, Strings strings, long[] scale) throws MalformedProfileException {
        Map<Long, Integer> mappingById = new HashMap<>();
        Map<Long, Long> mappingStartById = new HashMap<>();
        for (Mapping m : profile.getMappingList()) {
            long size = roundUp(m.getMemoryLimit() - m.getMemoryStart());
            String file = strings.get(m.getFilename());
            String buildId = strings.get(m.getBuildId());
            MappingKey key = new MappingKey(size, m.getFileOffset(), buildId.isEmpty() ? file : buildId);
            int index = mappingIndex.computeIfAbsent(key, k -> {
                // the first one seen stands for all: its start, limit and flags, its names as strings
                mappings.add(k);
                mappingFields.add(m.toBuilder().setFilename(0).setBuildId(0).build());
                mappingNames.add(new String[] {file, buildId});
                return mappings.size() - 1;
            });
            mappingById.put(m.getId(), index);
            mappingStartById.put(m.getId(), m.getMemoryStart());
        }
        Map<Long, Integer> functionById = new HashMap<>();
        for (Function f : profile.getFunctionList()) {
            FunctionKey key = new FunctionKey(strings.get(f.getName()), strings.get(f.getSystemName()),
                    strings.get(f.getFilename()), f.getStartLine());
            functionById.put(f.getId(), intern(key, functions, functionIndex));
        }
        Map<Long, Integer> locationById = new HashMap<>();
        for (Location l : profile.getLocationList()) {
            int mapping = -1;
            long address = l.getAddress();
            if (l.getMappingId() != 0) {
                Integer known = mappingById.get(l.getMappingId());
                if (known == null) {
                    throw new MalformedProfileException("location " + l.getId() + " names mapping " + l.getMappingId()
                            + ", which the profile does not have");
                }
                mapping = known;
                address -= mappingStartById.get(l.getMappingId());
            }
            List<LineKey> lines = new ArrayList<>(l.getLineCount());
            for (Line line : l.getLineList()) {
                int function = -1;
                if (line.getFunctionId() != 0) {
                    Integer known = functionById.get(line.getFunctionId());
                    if (known == null) {
                        throw new MalformedProfileException("location " + l.getId() + " names function "
                                + line.getFunctionId() + ", which the profile does not have");
                    }
                    function = known;
                }
                lines.add(new LineKey(function, line.getLine(), line.getColumn()));
            }
            LocationKey key = new LocationKey(mapping, address, l.getIsFolded(), List.copyOf(lines));
            locationById.put(l.getId(), intern(key, locations, locationIndex));
        }
        for (Sample s : profile.getSampleList()) {
            if (s.getValueCount() != valueCount) {
                throw new MalformedProfileException("a sample has " + s.getValueCount() + " values for "
                        + valueCount + " sample types");
            }
            int[] stack = new int[s.getLocationIdCount()];
            for (int i = 0; i < stack.length; i++) {
                Integer known = locationById.get(s.getLocationId(i));
                if (known == null) {
                    throw new MalformedProfileException("a sample names location " + s.getLocationId(i)
                            + ", which the profile does not have");
                }
                stack[i] = known;
            }
            List<LabelKey> labels = new ArrayList<>(s.getLabelCount());
            for (Label label : s.getLabelList()) {
                labels.add(new LabelKey(strings.get(label.getKey()), strings.get(label.getStr()), label.getNum(),
                        strings.get(label.getNumUnit())));
            }
            labels.sort(LabelKey.ORDER);
            long[] sum = samples.computeIfAbsent(new SampleKey(new Stack(stack), List.copyOf(labels)),
                    k -> new long[valueCount]);
            for (int i = 0; i < valueCount; i++) {
                sum[i] += s.getValue(i) * scale[i];
            }
        }
    }

    private Profile write(Profile header, Strings headerStrings, long period, long durationNanos, List<String> comments)
            throws MalformedProfileException {
        // Only what a kept sample reaches is written; IDs are given in first-seen order, so the main binary's
        // mapping (the first one Go writes) stays first.
        List<Map.Entry<SampleKey, long[]>> kept = samples.entrySet().stream()
                .filter(e -> Arrays.stream(e.getValue()).anyMatch(v -> v != 0))
                .toList();
        boolean[] usedLocations = new boolean[locations.size()];
        kept.forEach(e -> e.getKey().stack().stream().forEach(i -> usedLocations[i] = true));
        boolean[] usedFunctions = new boolean[functions.size()];
        boolean[] usedMappings = new boolean[mappings.size()];
        for (int i = 0; i < usedLocations.length; i++) {
            if (usedLocations[i]) {
                LocationKey l = locations.get(i);
                if (l.mapping() >= 0) {
                    usedMappings[l.mapping()] = true;
                }
                l.lines().forEach(line -> {
                    if (line.function() >= 0) {
                        usedFunctions[line.function()] = true;
                    }
                });
            }
        }
        long[] mappingIds = ids(usedMappings);
        long[] functionIds = ids(usedFunctions);
        long[] locationIds = ids(usedLocations);

        Strings out = new Strings();
        Profile.Builder profile = Profile.newBuilder();
        for (ValueType t : header.getSampleTypeList()) {
            profile.addSampleType(valueType(t, headerStrings, out));
        }
        for (int i = 0; i < mappings.size(); i++) {
            if (usedMappings[i]) {
                String[] names = mappingNames.get(i);
                profile.addMapping(mappingFields.get(i).toBuilder()
                        .setId(mappingIds[i])
                        .setFilename(out.index(names[0]))
                        .setBuildId(out.index(names[1])));
            }
        }
        for (int i = 0; i < locations.size(); i++) {
            if (usedLocations[i]) {
                LocationKey l = locations.get(i);
                Location.Builder location = Location.newBuilder().setId(locationIds[i]).setIsFolded(l.folded());
                long address = l.address();
                if (l.mapping() >= 0) {
                    location.setMappingId(mappingIds[l.mapping()]);
                    address += mappingFields.get(l.mapping()).getMemoryStart();
                }
                location.setAddress(address);
                for (LineKey line : l.lines()) {
                    location.addLine(Line.newBuilder()
                            .setFunctionId(line.function() >= 0 ? functionIds[line.function()] : 0)
                            .setLine(line.line())
                            .setColumn(line.column()));
                }
                profile.addLocation(location);
            }
        }
        for (int i = 0; i < functions.size(); i++) {
            if (usedFunctions[i]) {
                FunctionKey f = functions.get(i);
                profile.addFunction(Function.newBuilder()
                        .setId(functionIds[i])
                        .setName(out.index(f.name()))
                        .setSystemName(out.index(f.systemName()))
                        .setFilename(out.index(f.filename()))
                        .setStartLine(f.startLine()));
            }
        }
        for (Map.Entry<SampleKey, long[]> e : kept) {
            Sample.Builder sample = Sample.newBuilder();
            for (int location : e.getKey().stack().ids()) {
                sample.addLocationId(locationIds[location]);
            }
            for (long v : e.getValue()) {
                sample.addValue(v);
            }
            for (LabelKey label : e.getKey().labels()) {
                Label.Builder l = Label.newBuilder().setKey(out.index(label.key()));
                if (!label.str().isEmpty()) {
                    l.setStr(out.index(label.str()));
                }
                l.setNum(label.num());
                if (!label.unit().isEmpty()) {
                    l.setNumUnit(out.index(label.unit()));
                }
                sample.addLabel(l);
            }
            profile.addSample(sample);
        }
        if (header.hasPeriodType()) {
            profile.setPeriodType(valueType(header.getPeriodType(), headerStrings, out));
        }
        profile.setPeriod(period)
                .setTimeNanos(header.getTimeNanos())
                .setDurationNanos(durationNanos)
                .setDropFrames(out.index(headerStrings.get(header.getDropFrames())))
                .setKeepFrames(out.index(headerStrings.get(header.getKeepFrames())))
                .setDefaultSampleType(out.index(headerStrings.get(header.getDefaultSampleType())));
        for (long comment : header.getCommentList()) {
            profile.addComment(out.index(headerStrings.get(comment)));
        }
        for (String comment : comments) {
            profile.addComment(out.index(comment));
        }
        return profile.addAllStringTable(out.table).build();
    }

    /** IDs 1, 2, ... for the used entries, in order; 0 for the others. */
    private static long[] ids(boolean[] used) {
        long[] ids = new long[used.length];
        long next = 1;
        for (int i = 0; i < used.length; i++) {
            if (used[i]) {
                ids[i] = next++;
            }
        }
        return ids;
    }

    private static <K> int intern(K key, List<K> list, Map<K, Integer> index) {
        return index.computeIfAbsent(key, k -> {
            list.add(k);
            return list.size() - 1;
        });
    }

    /** Go's rounding: sizes within a page of each other are the same mapping (address layout noise). */
    private static long roundUp(long size) {
        long rounded = size + MAPPING_SIZE_ROUNDING - 1;
        return rounded - Long.remainderUnsigned(rounded, MAPPING_SIZE_ROUNDING);
    }

    private static List<String> valueTypes(List<ValueType> types, Strings strings) throws MalformedProfileException {
        List<String> names = new ArrayList<>(types.size());
        for (ValueType t : types) {
            names.add(valueType(t, strings));
        }
        return names;
    }

    private static String valueType(ValueType t, Strings strings) throws MalformedProfileException {
        return strings.get(t.getType()) + "/" + strings.get(t.getUnit());
    }

    private static ValueType valueType(ValueType t, Strings from, Strings to) {
        return ValueType.newBuilder()
                .setType(to.index(from.table.get((int) t.getType())))
                .setUnit(to.index(from.table.get((int) t.getUnit())))
                .build();
    }

    /** A profile's string table, read with its indexes checked; or a new one, written. */
    private static final class Strings {
        final List<String> table;
        private final Map<String, Long> index;

        Strings(Profile profile) throws MalformedProfileException {
            table = profile.getStringTableList();
            index = null;
            if (!table.isEmpty() && !table.get(0).isEmpty()) {
                throw new MalformedProfileException("the string table does not start with the empty string");
            }
        }

        Strings() {
            table = new ArrayList<>(List.of(""));
            index = new HashMap<>(Map.of("", 0L));
        }

        String get(long i) throws MalformedProfileException {
            if (i == 0 && table.isEmpty()) {
                return "";
            }
            if (i < 0 || i >= table.size()) {
                throw new MalformedProfileException("string index " + i + " is outside the string table ("
                        + table.size() + " strings)");
            }
            return table.get((int) i);
        }

        long index(String s) {
            return index.computeIfAbsent(s, k -> {
                table.add(k);
                return table.size() - 1L;
            });
        }
    }

    private record MappingKey(long size, long fileOffset, String buildIdOrFile) {
    }

    private record FunctionKey(String name, String systemName, String filename, long startLine) {
    }

    private record LineKey(int function, long line, long column) {
    }

    private record LocationKey(int mapping, long address, boolean folded, List<LineKey> lines) {
    }

    private record LabelKey(String key, String str, long num, String unit) {
        static final Comparator<LabelKey> ORDER = Comparator.comparing(LabelKey::key)
                .thenComparing(LabelKey::str)
                .thenComparingLong(LabelKey::num)
                .thenComparing(LabelKey::unit);
    }

    /** Merged location indexes, leaf first, compared by content. */
    private record Stack(int[] ids) {
        IntStream stream() {
            return Arrays.stream(ids);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Stack other && Arrays.equals(ids, other.ids);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ids);
        }

        @Override
        public String toString() {
            return Arrays.toString(ids);
        }
    }

    private record SampleKey(Stack stack, List<LabelKey> labels) {
    }
}
