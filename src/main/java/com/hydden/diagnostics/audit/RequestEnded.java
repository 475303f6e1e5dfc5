package com.hydden.diagnostics.audit;

import java.time.Duration;

/**
 * A pprof request has ended: the facts of its audit line that may be counted, fired as a CDI event once per
 * request, right after the line is written. Every field comes from the server, never from the caller's input.
 *
 * @param profile  the profile asked for, null when the request was refused before its body was read
 * @param status   the HTTP status sent, 0 when none was (the request ended before the node answered)
 * @param outcome  as in the audit line: {@code complete}, {@code aborted}, {@code client-disconnected},
 *                 {@code failed}, {@code too-slow} (cut behind its shared cpu run) or {@code unanswered}
 * @param bytes    the response body bytes sent
 * @param duration from arrival to the end of the body
 */
public record RequestEnded(String profile, int status, String outcome, long bytes, Duration duration) {
}
