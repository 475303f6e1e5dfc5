/**
 * The audit trail: one JSON line per pprof request on the logger {@code diagnostics.audit}, written when the
 * request has ended, whatever its end (answered, refused, failed, aborted, client gone).
 *
 * <p>Decisions: the record travels as a request property, so the filters, the resource and the body writer
 * each add what only they know, on whatever thread they run. It is written once, after the body (the
 * interceptor around the entity write), so a streamed profile is logged with its real size and digest.
 */
package com.hydden.diagnostics.audit;
