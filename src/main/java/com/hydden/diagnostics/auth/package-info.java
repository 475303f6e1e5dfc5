/**
 * Who may call the API: one pre-matching request filter authenticates every request (a JWT as bearer header
 * or cookie, or an API token) and requires a role that the permissions grant anything to; what each caller may
 * take from where is {@link com.hydden.diagnostics.auth.Permissions}, checked per item once the body is read.
 *
 * <p>Decisions: the credential stores implement Jakarta Security's {@code IdentityStore}, but the gate is a
 * JAX-RS filter, not an HTTP authentication mechanism, so the refusal is the API's own problem+json 403 and
 * nothing depends on the server's security realm. Refusals never say which check failed; the log does, at
 * FINE. Credentials never reach a log line or a {@code toString}.
 *
 * <p>The permissions policy is a file of grants, deny by default, re-read when it changes. Authorization needs
 * the profile, node and seconds, so it cannot be the filter's: the resource calls {@code Permissions.check}
 * after validating the body and before admitting the request. A policy that broke while running keeps the last
 * good one (unlike the API-token file, where failing closed costs only automation): locking every engineer out
 * during an incident because of a typo would be worse than keeping yesterday's grants for a while.
 */
package com.hydden.diagnostics.auth;
