/**
 * Health checks for the server's {@code /health/ready} and {@code /health/live} (MicroProfile Health).
 *
 * <p>Decisions: an invalid configuration stops the deployment, so readiness reports what a valid configuration
 * can still lack (no credential source, no node source) and what breaks at runtime (the API-token file).
 * Liveness goes down only for what a restart mends. Each check's data names the configuration key at fault and
 * never holds a key, a token or a hash.
 */
package com.hydden.diagnostics.health;
