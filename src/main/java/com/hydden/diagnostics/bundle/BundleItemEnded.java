package com.hydden.diagnostics.bundle;

/**
 * One item of a bundle has ended, fired with its audit line, for the metrics.
 *
 * @param profile a profile's wire name, or {@code stats}
 * @param status  the status the single endpoint would have answered, 0 when the item never ended
 * @param outcome as in the audit line
 */
public record BundleItemEnded(String profile, int status, String outcome) {
}
