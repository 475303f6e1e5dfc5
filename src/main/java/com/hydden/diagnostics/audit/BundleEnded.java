package com.hydden.diagnostics.audit;

import java.time.Duration;

/**
 * A bundle request has ended: the facts of its audit line that may be counted, fired once per bundle right
 * after the line is written (its items are counted on their own).
 *
 * @param status  the HTTP status sent, 0 when none was
 * @param outcome as in the audit line
 * @param bytes   the archive bytes sent
 */
public record BundleEnded(int status, String outcome, long bytes, Duration duration) {
}
