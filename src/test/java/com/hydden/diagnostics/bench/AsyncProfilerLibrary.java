package com.hydden.diagnostics.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** async-profiler's native library, taken from its Maven jar (a test dependency) for this machine's architecture. */
final class AsyncProfilerLibrary {

    private AsyncProfilerLibrary() {
    }

    /** Copies the library into {@code directory} and returns its path. */
    static Path extract(Path directory) throws IOException {
        String platform = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "linux-x64";
            case "aarch64", "arm64" -> "linux-arm64";
            default -> throw new IOException("async-profiler has no library for " + System.getProperty("os.arch"));
        };
        if (!System.getProperty("os.name").equals("Linux")) {
            throw new IOException("the profile phase runs on Linux only");
        }
        String resource = "/" + platform + "/libasyncProfiler.so";
        Path library = directory.resolve("libasyncProfiler.so");
        try (InputStream in = AsyncProfilerLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is not on the class path (tools.profiler:async-profiler)");
            }
            Files.copy(in, library, StandardCopyOption.REPLACE_EXISTING);
        }
        return library;
    }
}
