package com.hydden.diagnostics.pprof;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The profiles Go's runtime/pprof writes; the wire name is what the node expects. */
public enum ProfileType {
    CPU, ALLOCS, HEAP, GOROUTINE, BLOCK, MUTEX, THREADCREATE;

    public static final String NAMES = Arrays.stream(values()).map(ProfileType::wireName).collect(Collectors.joining(", "));

    public String wireName() {
        return name().toLowerCase();
    }

    public static Optional<ProfileType> fromWireName(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName().equals(name)).findFirst();
    }
}
