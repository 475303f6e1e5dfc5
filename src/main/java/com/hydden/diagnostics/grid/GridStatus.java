package com.hydden.diagnostics.grid;

import com.hydden.diagnostics.problem.Problem;
import com.hydden.diagnostics.problem.ProblemException;
import io.grpc.Status;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * The one table from a node's gRPC status to the HTTP answer. Node messages are not passed on: they are
 * the node's internals; the log has them.
 */
public final class GridStatus {

    /** Retry-After for a busy cpu profiler when nothing better is known: Go's default sampling time. */
    static final int DEFAULT_RETRY_SECONDS = 30;

    private GridStatus() {
    }

    /**
     * The status as the log shows it. A transport failure (refused connection, TLS handshake, host name
     * mismatch) is an UNAVAILABLE without description whose reason is only in the cause, so the causes go in.
     */
    static String describe(Status status) {
        StringBuilder text = new StringBuilder(status.getCode().toString());
        if (status.getDescription() != null) {
            text.append(": ").append(status.getDescription());
        }
        for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message == null || text.indexOf(message) < 0) { // JSSE repeats a message down its chain
                text.append("; caused by ").append(cause);
            }
        }
        return text.toString();
    }

    static boolean isTlsFailure(Status status) {
        for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    /** The answer the single endpoint gives for a call that ended with {@code status}. */
    public static ProblemException toProblem(Status status, int cpuSeconds) {
        return switch (status.getCode()) {
            case INVALID_ARGUMENT -> Problem.of(Response.Status.BAD_REQUEST, "rejected-by-node",
                    "the node rejected the profile request").exception();
            case NOT_FOUND -> Problem.of(Response.Status.NOT_FOUND, "unknown-module",
                    "the node does not know this client or module").exception();
            case UNAVAILABLE -> Problem.of(Response.Status.NOT_FOUND, "node-offline", "node offline").exception();
            case RESOURCE_EXHAUSTED -> new ProblemException(
                    Problem.of(Response.Status.TOO_MANY_REQUESTS, "profiler-busy",
                            "a cpu profile is already being taken on this node; retry later"),
                    Map.of("Retry-After", String.valueOf(cpuSeconds > 0 ? cpuSeconds : DEFAULT_RETRY_SECONDS)));
            case DEADLINE_EXCEEDED -> Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "node-timeout",
                    "the node did not answer in time").exception();
            default -> Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "profiling-failed",
                    "profiling failed on the node").exception();
        };
    }
}
