package com.hydden.diagnostics.demo;

import com.hydden.diagnostics.profile.proto.Function;
import com.hydden.diagnostics.profile.proto.Line;
import com.hydden.diagnostics.profile.proto.Location;
import com.hydden.diagnostics.profile.proto.Mapping;
import com.hydden.diagnostics.profile.proto.Profile;
import com.hydden.diagnostics.profile.proto.Sample;
import com.hydden.diagnostics.profile.proto.ValueType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ThreadInfo;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Assembles one pprof {@link Profile} from Java stacks: interns strings, functions and locations (ids start
 * at 1, as pprof reserves 0 for "none") and adds up the values of samples with the same stack, as Go does.
 */
final class ProfileBuilder {

    private static final long JVM_MAPPING_ID = 1;
    private static final String JVM_FILE_NAME = ProcessHandle.current().info().command()
            .map(command -> Path.of(command).getFileName().toString())
            .orElse("java");

    private final List<String> strings = new ArrayList<>(List.of(""));  // pprof: string_table[0] == ""
    private final Map<String, Long> stringIndex = new HashMap<>(Map.of("", 0L));
    private final Map<FunctionKey, Long> functionIds = new HashMap<>();
    private final Map<LocationKey, Long> locationIds = new HashMap<>();
    private final Map<List<Long>, long[]> samples = new LinkedHashMap<>();
    private final Profile.Builder profile = Profile.newBuilder();
    private final long startNanoTime = System.nanoTime();

    /** Starts the profile's clock: time_nanos is now, duration_nanos ends when {@link #build()} runs (as in Go). */
    ProfileBuilder() {
        Instant start = Instant.now();
        profile.setTimeNanos(start.getEpochSecond() * 1_000_000_000L + start.getNano());
        // All locations belong to one mapping standing for the JVM. Marked as symbolized, it keeps pprof from
        // looking for a binary to symbolize them with (and from warning that none is available).
        profile.addMapping(Mapping.newBuilder()
                .setId(JVM_MAPPING_ID)
                .setFilename(string(JVM_FILE_NAME))
                .setHasFunctions(true)
                .setHasFilenames(true)
                .setHasLineNumbers(true));
    }

    ProfileBuilder sampleType(String type, String unit) {
        profile.addSampleType(valueType(type, unit));
        return this;
    }

    ProfileBuilder period(String type, String unit, long period) {
        profile.setPeriodType(valueType(type, unit)).setPeriod(period);
        return this;
    }

    /** Without it pprof shows the last sample type first. */
    ProfileBuilder defaultSampleType(String type) {
        profile.setDefaultSampleType(string(type));
        return this;
    }

    /** Adds {@code values} to the sample of the thread's current stack (a thread without Java frames: its name). */
    void addStack(ThreadInfo thread, long... values) {
        if (thread.getStackTrace().length == 0) {
            addThread(thread, values);
        } else {
            addStack(thread.getStackTrace(), values);
        }
    }

    /** Adds {@code values} to the sample of {@code stack}, leaf frame first. */
    void addStack(StackTraceElement[] stack, long... values) {
        List<Long> ids = new ArrayList<>(stack.length);
        for (StackTraceElement frame : stack) {
            // The JVM reports -1 for an unknown line and -2 for a native method; pprof has 0 for "unknown".
            ids.add(location(frame.getClassName() + "." + frame.getMethodName(), nullToEmpty(frame.getFileName()),
                    Math.max(frame.getLineNumber(), 0)));
        }
        addSample(ids, values);
    }

    /** Adds {@code values} to a sample of the one frame {@code [thread NAME]}, for a thread's fact without a stack. */
    void addThread(ThreadInfo thread, long... values) {
        addFrame("[thread " + thread.getThreadName() + "]", values);
    }

    /** Adds {@code values} to a sample of the one frame {@code name}, for a fact without a stack. */
    void addFrame(String name, long... values) {
        addSample(List.of(location(name, "", 0)), values);
    }

    /** The profile as Go writes it to a file: gzip-compressed profile.proto. Call once. */
    byte[] gzipped() {
        return gzip(build());
    }

    /** The profile; call once. */
    Profile build() {
        if (profile.getSampleTypeCount() == 0) {
            throw new IllegalStateException("a profile needs at least one sample type");
        }
        if (profile.getSampleCount() > 0 || profile.getStringTableCount() > 0) {
            throw new IllegalStateException("already built");
        }
        samples.forEach((ids, values) -> {
            Sample.Builder sample = Sample.newBuilder().addAllLocationId(ids);
            for (long value : values) {
                sample.addValue(value);
            }
            profile.addSample(sample);
        });
        return profile.setDurationNanos(System.nanoTime() - startNanoTime)
                .addAllStringTable(strings)
                .build();
    }

    static byte[] gzip(Profile profile) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(file)) {
            profile.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);  // a ByteArrayOutputStream does not fail
        }
        return file.toByteArray();
    }

    private void addSample(List<Long> locationIds, long... values) {
        if (values.length != profile.getSampleTypeCount()) {
            throw new IllegalArgumentException(values.length + " values for " + profile.getSampleTypeCount() + " sample types");
        }
        long[] sum = samples.computeIfAbsent(List.copyOf(locationIds), k -> new long[values.length]);
        for (int i = 0; i < values.length; i++) {
            sum[i] += values[i];
        }
    }

    private long location(String function, String file, long line) {
        long functionId = functionIds.computeIfAbsent(new FunctionKey(function, file), key -> {
            long id = functionIds.size() + 1L;
            profile.addFunction(Function.newBuilder()
                    .setId(id)
                    .setName(string(key.name()))
                    .setSystemName(string(key.name()))
                    .setFilename(string(key.file())));
            return id;
        });
        return locationIds.computeIfAbsent(new LocationKey(functionId, line), key -> {
            long id = locationIds.size() + 1L;
            profile.addLocation(Location.newBuilder()
                    .setId(id)
                    .setMappingId(JVM_MAPPING_ID)
                    .addLine(Line.newBuilder().setFunctionId(key.functionId()).setLine(key.line())));
            return id;
        });
    }

    private ValueType valueType(String type, String unit) {
        return ValueType.newBuilder().setType(string(type)).setUnit(string(unit)).build();
    }

    private long string(String s) {
        return stringIndex.computeIfAbsent(s, k -> {
            strings.add(k);
            return strings.size() - 1L;
        });
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private record FunctionKey(String name, String file) {
    }

    private record LocationKey(long functionId, long line) {
    }
}
