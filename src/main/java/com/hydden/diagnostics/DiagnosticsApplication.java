package com.hydden.diagnostics;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;

@ApplicationPath("/internal/v1")
public class DiagnosticsApplication extends Application {

    @Override
    public Map<String, Object> getProperties() {
        // Jersey holds back the first 8 KiB of an entity to compute Content-Length; a profile must stream.
        return Map.of("jersey.config.server.contentLength.buffer", 0);
    }
}
