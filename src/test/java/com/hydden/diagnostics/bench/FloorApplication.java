package com.hydden.diagnostics.bench;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * Payara's floor: the benchmark's second WAR, at {@code /floor}, with the product's application path, so a
 * floor request differs from a profile request by its first path segment only.
 */
@ApplicationPath("/internal/v1")
public class FloorApplication extends Application {
}
