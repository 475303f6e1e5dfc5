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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Profiles written by hand, with the IDs and string order the test chooses: each function named {@code f} gets
 * ID {@code idBase + its number}, each location the same, so two profiles of the same stacks can differ in every
 * ID and index. One mapping, starting at {@code mappingStart}.
 */
public final class HandBuilt {

    private final List<String> strings = new ArrayList<>(List.of(""));
    private final Map<String, Long> index = new HashMap<>();
    private final Profile.Builder profile = Profile.newBuilder();
    private final Map<String, Long> functions = new HashMap<>();
    private final long idBase;
    private final long mappingStart;

    /** {@code padding}: strings put first in the table, so indexes differ from another profile's. */
    public HandBuilt(long idBase, long mappingStart, String... padding) {
        this.idBase = idBase;
        this.mappingStart = mappingStart;
        for (String p : padding) {
            string(p);
        }
        profile.addMapping(Mapping.newBuilder().setId(idBase + 99).setMemoryStart(mappingStart)
                .setMemoryLimit(mappingStart + 0x40_0000).setFilename(string("/usr/bin/node")).setHasFunctions(true));
    }

    /** Go's heap profile types. */
    public static HandBuilt heap(long idBase, long mappingStart, String... padding) {
        return new HandBuilt(idBase, mappingStart, padding)
                .types("alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes")
                .period("space", "bytes", 524288);
    }

    public HandBuilt types(String... typeSlashUnit) {
        for (String t : typeSlashUnit) {
            String[] parts = t.split("/");
            profile.addSampleType(ValueType.newBuilder().setType(string(parts[0])).setUnit(string(parts[1])));
        }
        return this;
    }

    public HandBuilt period(String type, String unit, long period) {
        profile.setPeriodType(ValueType.newBuilder().setType(string(type)).setUnit(string(unit))).setPeriod(period);
        return this;
    }

    public HandBuilt time(long timeNanos) {
        profile.setTimeNanos(timeNanos);
        return this;
    }

    /** A sample of {@code stack} (function names, leaf first; each function's location at offset 16 * n). */
    public HandBuilt sample(List<String> stack, long... values) {
        return sample(stack, Map.of(), values);
    }

    public HandBuilt sample(List<String> stack, Map<String, String> labels, long... values) {
        Sample.Builder sample = Sample.newBuilder();
        for (String f : stack) {
            sample.addLocationId(location(f));
        }
        for (long v : values) {
            sample.addValue(v);
        }
        labels.forEach((k, v) -> sample.addLabel(Label.newBuilder().setKey(string(k)).setStr(string(v))));
        profile.addSample(sample);
        return this;
    }

    public Profile build() {
        return profile.addAllStringTable(strings).build();
    }

    /** Values by stack (function names, leaf first), read through the profile's own tables; one sample per stack. */
    public static Map<List<String>, List<Long>> valuesByStack(Profile p) {
        Map<Long, String> functions = new HashMap<>();
        p.getFunctionList().forEach(f -> functions.put(f.getId(), p.getStringTable((int) f.getName())));
        Map<Long, Location> locations = new HashMap<>();
        p.getLocationList().forEach(l -> locations.put(l.getId(), l));
        Map<List<String>, List<Long>> values = new TreeMap<>((x, y) -> x.toString().compareTo(y.toString()));
        for (Sample s : p.getSampleList()) {
            List<String> stack = s.getLocationIdList().stream()
                    .flatMap(id -> locations.get(id).getLineList().stream())
                    .map(line -> functions.get(line.getFunctionId()))
                    .toList();
            values.merge(stack, s.getValueList(), (x, y) -> {
                throw new AssertionError("two samples of one stack: " + stack);
            });
        }
        return values;
    }

    private long location(String function) {
        return functions.computeIfAbsent(function, f -> {
            long n = functions.size() + 1;
            long id = idBase + n;
            profile.addFunction(Function.newBuilder().setId(id).setName(string(f)).setSystemName(string(f))
                    .setFilename(string("main.go")));
            profile.addLocation(Location.newBuilder().setId(id).setMappingId(idBase + 99)
                    .setAddress(mappingStart + offset(f))
                    .addLine(Line.newBuilder().setFunctionId(id).setLine(10 + offset(f))));
            return id;
        });
    }

    /** The same function has the same offset in every profile. */
    private static long offset(String function) {
        return 16L * Math.floorMod(function.hashCode(), 1000);
    }

    private long string(String s) {
        return index.computeIfAbsent(s, k -> {
            strings.add(k);
            return strings.size() - 1L;
        });
    }
}
