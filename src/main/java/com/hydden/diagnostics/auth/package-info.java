/**
 * Who may call the API: one pre-matching request filter authenticates every request (a JWT as bearer header
 * or cookie, or an API token) and requires the diagnostics role.
 *
 * <p>Decisions: the credential stores implement Jakarta Security's {@code IdentityStore}, but the gate is a
 * JAX-RS filter, not an HTTP authentication mechanism, so the refusal is the API's own problem+json 403 and
 * nothing depends on the server's security realm. Refusals never say which check failed; the log does, at
 * FINE. Credentials never reach a log line or a {@code toString}.
 */
package com.hydden.diagnostics.auth;
