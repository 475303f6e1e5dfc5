package com.hydden.diagnostics.pprof;

import com.hydden.diagnostics.grid.NodeAddress;
import com.hydden.diagnostics.grid.NodeCalls;
import com.hydden.diagnostics.grid.NodeFacts;
import com.hydden.diagnostics.grid.NodeStats;
import com.hydden.diagnostics.grid.ProfileDownload;
import com.hydden.diagnostics.problem.Problem;
import com.hydden.diagnostics.problem.ProblemException;
import com.hydden.diagnostics.profile.CappedBuffer;
import com.hydden.diagnostics.profile.IncompatibleProfilesException;
import com.hydden.diagnostics.profile.MalformedProfileException;
import com.hydden.diagnostics.profile.ProfileCodec;
import com.hydden.diagnostics.profile.ProfileDelta;
import com.hydden.diagnostics.profile.ProfileTooLargeException;
import com.hydden.diagnostics.profile.proto.Profile;
import io.grpc.Status;
import jakarta.ws.rs.core.Response;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One delta profile: the node's uptime, a snapshot, {@code seconds} on a timer, a second snapshot, the
 * uptime again, then the second snapshot minus the first.
 *
 * <p>Each snapshot is downloaded as it arrives (on a {@link ProfileWriters} thread, once its first chunk is
 * in) into a {@link CappedBuffer}, still compressed; both are decoded only when the second is complete. The
 * node's {@code GetStats} asked before the first and after the second snapshot tells a restart in between,
 * which would make the difference meaningless.
 *
 * <p>{@link #cancel()} (the client left) ends the run wherever it is: the timer is cancelled, a running node
 * call is abandoned. The request's places are given back (the permit runs) once the run is over and its last
 * node call has closed.
 */
public final class DeltaRun {

    private static final Logger LOG = Logger.getLogger(DeltaRun.class.getName());

    private final NodeAddress node;
    private final PprofRequest request;
    private final Runnable permit;
    private final NodeCalls calls;
    private final NodeFacts facts;
    private final Executor writers;
    private final ScheduledExecutorService timer;
    private final long maxProfileBytes;
    private final CompletableFuture<Answer> answer = new CompletableFuture<>();

    // guarded by this
    private ProfileDownload current;
    private ScheduledFuture<?> waiting;
    private boolean over;

    DeltaRun(NodeAddress node, PprofRequest request, Runnable permit, NodeCalls calls, NodeFacts facts,
             Executor writers, ScheduledExecutorService timer, long maxProfileBytes) {
        this.node = node;
        this.request = request;
        this.permit = permit;
        this.calls = calls;
        this.facts = facts;
        this.writers = writers;
        this.timer = timer;
        this.maxProfileBytes = maxProfileBytes;
    }

    /** The difference, and what the headers say about it. */
    public record Answer(Profile profile, Instant start, Instant end, Optional<NodeStats> node) {
    }

    /**
     * Completes with the answer, or fails with the {@link ProblemException} to answer instead. Callbacks run
     * on the thread that completes it, which must not be held: hand work on.
     */
    public CompletionStage<Answer> answer() {
        return answer;
    }

    void start() {
        answer.whenComplete((a, failure) -> releasePermit());
        CompletableFuture<Optional<NodeStats>> before = facts.fresh(node, request.client());
        snapshot().thenAccept(first -> {
            synchronized (this) {
                if (over) {
                    return;
                }
                try {
                    waiting = timer.schedule(() -> second(before, first), request.seconds(), TimeUnit.SECONDS);
                } catch (RejectedExecutionException undeployed) {
                    fail(stopped());
                }
            }
        });
    }

    /** Ends the run at once: the client is gone. */
    public void cancel() {
        fail(Problem.of(Response.Status.SERVICE_UNAVAILABLE, "client-disconnected",
                "the HTTP client disconnected").exception());
    }

    private void second(CompletableFuture<Optional<NodeStats>> before, Snapshot first) {
        snapshot().thenAccept(second -> facts.fresh(node, request.client())
                .thenAcceptBoth(before, (after, earlier) -> run(() -> finish(first, second, earlier, after))));
    }

    private void finish(Snapshot first, Snapshot second, Optional<NodeStats> before, Optional<NodeStats> after) {
        synchronized (this) {
            if (over) {
                return;
            }
        }
        if (before.isPresent() && after.isPresent()) {
            Optional<String> restart = after.get().restartSince(before.get());
            if (restart.isPresent()) {
                fail(Problem.of(Response.Status.CONFLICT, "node-restarted", "node " + request.client()
                        + " restarted between the two snapshots (" + restart.get() + "); a delta across a"
                        + " restart means nothing, ask again").exception());
                return;
            }
        } else {
            LOG.fine(() -> "delta of node " + request.client() + ": no uptime from GetStats, restart not checked");
        }
        try {
            Profile p0 = ProfileCodec.decode(first.file.contents(), maxProfileBytes);
            Profile p1 = ProfileCodec.decode(second.file.contents(), maxProfileBytes);
            Instant start = p0.getTimeNanos() > 0 && p1.getTimeNanos() > 0 ? instant(p0.getTimeNanos()) : first.received;
            Instant end = p0.getTimeNanos() > 0 && p1.getTimeNanos() > 0 ? instant(p1.getTimeNanos()) : second.received;
            String nodeName = after.map(NodeStats::nodeId).filter(id -> !id.isEmpty()).orElse(request.client());
            List<String> comments = List.of(
                    "delta " + request.profile().wireName() + " profile of node " + nodeName + " (module "
                            + request.module() + "): the second snapshot minus the first",
                    "window " + start + "/" + end);
            Profile delta = ProfileDelta.between(p0, p1, Duration.between(start, end).toNanos(), comments);
            complete(new Answer(delta, start, end, after.or(() -> before)));
        } catch (ProfileTooLargeException e) {
            fail(tooLarge());
        } catch (MalformedProfileException e) {
            LOG.log(Level.WARNING, "delta of node " + request.client() + ": the node sent a snapshot that is not a"
                    + " pprof profile: " + e.getMessage());
            fail(failed("the node sent a snapshot that is not a valid pprof profile"));
        } catch (IncompatibleProfilesException e) {
            fail(failed("the two snapshots cannot be subtracted: " + printable(e.getMessage())));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "delta of node " + request.client() + " failed", e);
            fail(failed("the delta profile could not be computed"));
        }
    }

    /** One profile call, downloaded whole into a capped buffer. */
    private CompletableFuture<Snapshot> snapshot() {
        CompletableFuture<Snapshot> snapshot = new CompletableFuture<>();
        ProfileDownload download;
        synchronized (this) {
            if (over) {
                return snapshot;
            }
            try {
                download = calls.profile(node, request.client(), request.module(), request.profile().wireName(), 0);
            } catch (RuntimeException e) {
                fail(e);
                return snapshot;
            }
            current = download;
        }
        download.firstChunk().whenComplete((ready, failure) -> {
            if (failure != null) {
                fail(failure instanceof CompletionException ? failure.getCause() : failure);
                return;
            }
            run(() -> {
                CappedBuffer file = new CappedBuffer(maxProfileBytes);
                try {
                    download.transferTo(new Refusing(file, download));
                    snapshot.complete(new Snapshot(file, Instant.now()));
                } catch (ProfileTooLargeException e) {
                    fail(tooLarge());
                } catch (IOException e) {
                    LOG.warning(() -> "delta of node " + request.client() + ": snapshot broke off: " + e.getMessage());
                    fail(failed("the node's snapshot broke off before its end"));
                }
            });
        });
        return snapshot;
    }

    private void run(Runnable task) {
        try {
            writers.execute(task);
        } catch (RejectedExecutionException undeployed) {
            fail(stopped());
        }
    }

    private void complete(Answer result) {
        synchronized (this) {
            if (over) {
                return;
            }
            over = true;
        }
        answer.complete(result);
    }

    private void fail(Throwable why) {
        ProfileDownload running;
        synchronized (this) {
            if (over) {
                return;
            }
            over = true;
            if (waiting != null) {
                waiting.cancel(false);
            }
            running = current;
        }
        if (running != null) {
            running.abandon(Status.CANCELLED.withDescription("the delta profile ended: " + why.getMessage()));
        }
        answer.completeExceptionally(why);
    }

    private void releasePermit() {
        ProfileDownload last;
        synchronized (this) {
            last = current;
        }
        if (last == null) {
            permit.run();
        } else {
            last.closed().whenComplete((status, never) -> permit.run());
        }
    }

    private ProblemException tooLarge() {
        return Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "profile-too-large", "a snapshot of the "
                + request.profile().wireName() + " profile is larger than " + DeltaProfiles.MAX_PROFILE_BYTES_KEY
                + " (" + maxProfileBytes + " bytes) once decompressed").exception();
    }

    private static ProblemException failed(String detail) {
        return Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "profiling-failed", detail).exception();
    }

    private static ProblemException stopped() {
        return Problem.of(Response.Status.SERVICE_UNAVAILABLE, "shutting-down", "the service is stopping").exception();
    }

    private static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    }

    /** Profile strings go into a detail: printable, and not without end. */
    private static String printable(String s) {
        String clean = s.codePoints().limit(300)
                .map(c -> c >= 0x20 && c < 0x7f ? c : '?')
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return s.length() > 300 ? clean + "..." : clean;
    }

    private record Snapshot(CappedBuffer file, Instant received) {
    }

    /** Abandons the node's call with the reason before the cap refuses a write. */
    private static final class Refusing extends FilterOutputStream {
        private final ProfileDownload download;

        Refusing(CappedBuffer out, ProfileDownload download) {
            super(out);
            this.download = download;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (ProfileTooLargeException e) {
                download.abandon(Status.CANCELLED.withDescription("the profile is larger than "
                        + DeltaProfiles.MAX_PROFILE_BYTES_KEY));
                throw e;
            }
        }
    }
}
