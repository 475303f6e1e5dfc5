package com.hydden.diagnostics.bundle;

import com.hydden.diagnostics.cpu.CpuRuns;
import com.hydden.diagnostics.grid.ProfileDownload;
import com.hydden.diagnostics.problem.ProblemException;

/**
 * What collecting one item gave, once known: a profile to stream (its first chunk is in: a node call's, or this
 * item's reader of a shared cpu run), the whole bytes of a small entry, or the problem the single endpoint would
 * have answered.
 *
 * @param window  the ISO-8601 interval sampled (cpu, delta), else null
 * @param refused the problem is a refusal by the request limits (429 node-busy, 503 overloaded)
 */
record Outcome(ProfileDownload stream, CpuRuns.Body shared, byte[] whole, String window, ProblemException problem,
               boolean refused) {

    static Outcome streaming(ProfileDownload stream, String window) {
        return new Outcome(stream, null, null, window, null, false);
    }

    static Outcome sharedRun(CpuRuns.Body body, String window) {
        return new Outcome(null, body, null, window, null, false);
    }

    /** The whole bytes of an entry: a node's stats (no window), or a delta profile (the window between its snapshots). */
    static Outcome whole(byte[] bytes, String window) {
        return new Outcome(null, null, bytes, window, null, false);
    }

    static Outcome failed(ProblemException problem) {
        return new Outcome(null, null, null, null, problem, false);
    }

    static Outcome refused(ProblemException problem) {
        return new Outcome(null, null, null, null, problem, true);
    }
}
