package com.hydden.diagnostics.bundle;

import com.hydden.diagnostics.cpu.CpuRuns;
import com.hydden.diagnostics.grid.NodeAddress;
import com.hydden.diagnostics.grid.NodeCalls;
import com.hydden.diagnostics.grid.NodeDirectory;
import com.hydden.diagnostics.grid.NodeStats;
import com.hydden.diagnostics.grid.ProfileDownload;
import com.hydden.diagnostics.pprof.DeltaProfiles;
import com.hydden.diagnostics.pprof.DeltaRun;
import com.hydden.diagnostics.pprof.PprofRequest;
import com.hydden.diagnostics.pprof.ProfileType;
import com.hydden.diagnostics.profile.ProfileCodec;
import com.hydden.diagnostics.profile.ProfileWindow;
import com.hydden.diagnostics.pprof.RequestLimits;
import com.hydden.diagnostics.problem.Problem;
import com.hydden.diagnostics.problem.ProblemException;
import io.grpc.Status;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.spi.JsonProvider;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Collects the items of bundles, each as the single endpoint would: resolve the node, take a place in the
 * request limits, call. Refusals become outcomes, never exceptions, so one item's failure is one error entry.
 */
final class ItemCollector {

    private static final Logger LOG = Logger.getLogger(ItemCollector.class.getName());
    private static final JsonProvider JSON = JsonProvider.provider();

    private final NodeDirectory nodes;
    private final NodeCalls calls;
    private final RequestLimits limits;
    private final CpuRuns cpuRuns;
    private final DeltaProfiles deltas;

    ItemCollector(NodeDirectory nodes, NodeCalls calls, RequestLimits limits, CpuRuns cpuRuns, DeltaProfiles deltas) {
        this.nodes = nodes;
        this.calls = calls;
        this.limits = limits;
        this.cpuRuns = cpuRuns;
        this.deltas = deltas;
    }

    /**
     * The one way a bundle collects a profile, as {@code /pprof} would for the same node, profile and seconds. A
     * cpu item is a caller of the node's shared cpu run: it joins one that started within the share window
     * (another bundle's, or a person's) or starts one. Another profile with {@code seconds} is a delta profile.
     */
    ItemCall collect(String node, String module, ProfileType profile, int seconds) {
        if (profile == ProfileType.CPU) {
            return cpu(node, module, seconds);
        }
        if (seconds > 0) {
            return delta(node, module, profile, seconds);
        }
        Admission admitted = admit(node);
        if (admitted.refused() != null) {
            return admitted.refused();
        }
        NodeAddress address = admitted.address();
        RequestLimits.Permit permit = admitted.permit();
        ProfileDownload download;
        try {
            download = calls.profile(address, node, module, profile.wireName(), 0);
        } catch (ProblemException busy) {
            permit.close(); // the node serves its limit of calls already
            return ItemCall.decided(Outcome.refused(busy));
        } catch (RuntimeException e) {
            permit.close();
            throw e;
        }
        download.closed().whenComplete((end, never) -> permit.close());
        CompletableFuture<Outcome> outcome = download.firstChunk().toCompletableFuture()
                .handle((ready, failure) -> failure == null ? Outcome.streaming(download, null)
                        : Outcome.failed(problem(failure)));
        return new ItemCall(outcome,
                () -> download.abandon(Status.CANCELLED.withDescription("the bundle's client disconnected")));
    }

    private ItemCall cpu(String node, String module, int seconds) {
        Admission admitted = admit(node);
        if (admitted.refused() != null) {
            return admitted.refused();
        }
        RequestLimits.Permit permit = admitted.permit();
        CpuRuns.Ticket ticket;
        try {
            ticket = cpuRuns.join(node, module, seconds, false);
        } catch (ProblemException busy) {
            permit.close();
            return ItemCall.decided(Outcome.failed(busy));
        }
        Runnable leave = () -> {
            ticket.leave();
            permit.close();
        };
        CompletableFuture<Outcome> outcome = ticket.answer().toCompletableFuture().handle((answer, failure) -> {
            if (failure != null) {
                leave.run();
                return Outcome.failed(problem(failure));
            }
            return Outcome.sharedRun(out -> {
                try {
                    answer.body().transferTo(out);
                } finally {
                    leave.run();
                }
            }, answer.window());
        });
        return new ItemCall(outcome, leave);
    }

    private ItemCall delta(String node, String module, ProfileType profile, int seconds) {
        Admission admitted = admit(node);
        if (admitted.refused() != null) {
            return admitted.refused();
        }
        DeltaRun run = deltas.start(admitted.address(), new PprofRequest(node, module, profile, seconds),
                admitted.permit()::close);
        CompletableFuture<Outcome> outcome = run.answer().toCompletableFuture().handle((answer, failure) -> {
            if (failure != null) {
                return Outcome.failed(problem(failure));
            }
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            try {
                ProfileCodec.encode(answer.profile(), file);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // into memory: cannot fail
            }
            return Outcome.whole(file.toByteArray(), ProfileWindow.format(answer.start(), answer.end()));
        });
        return new ItemCall(outcome, run::cancel);
    }

    /** The node's address and a place in the request limits; or, when either is refused, the item's answer. */
    private record Admission(NodeAddress address, RequestLimits.Permit permit, ItemCall refused) {
    }

    private Admission admit(String node) {
        NodeAddress address;
        try {
            address = nodes.resolve(node);
        } catch (ProblemException unknown) {
            return new Admission(null, null, ItemCall.decided(Outcome.failed(unknown)));
        }
        try {
            return new Admission(address, limits.admit(), null);
        } catch (ProblemException full) {
            return new Admission(null, null, ItemCall.decided(Outcome.refused(full)));
        }
    }

    /** A node's statistics, as the {@code stats.json} entry. */
    ItemCall stats(String node) {
        Admission admitted = admit(node);
        if (admitted.refused() != null) {
            return admitted.refused();
        }
        NodeAddress address = admitted.address();
        RequestLimits.Permit permit = admitted.permit();
        CompletableFuture<NodeStats> stats;
        try {
            stats = calls.stats(address);
        } catch (RuntimeException e) {
            permit.close();
            throw e;
        }
        stats.whenComplete((done, failure) -> permit.close());
        CompletableFuture<Outcome> outcome = stats.handle((done, failure) -> failure == null
                ? Outcome.whole(json(done), null) : Outcome.failed(problem(failure)));
        return new ItemCall(outcome, () -> stats.cancel(true));
    }

    private static ProblemException problem(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof ProblemException problem) {
            return problem;
        }
        LOG.log(Level.WARNING, "unexpected failure of a bundle item", cause);
        return Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "internal-error",
                "the item could not be collected").exception();
    }

    static byte[] json(NodeStats stats) {
        JsonObjectBuilder disk = JSON.createObjectBuilder()
                .add("totalBytes", new BigInteger(Long.toUnsignedString(stats.diskTotalBytes())))
                .add("freeBytes", new BigInteger(Long.toUnsignedString(stats.diskFreeBytes())));
        JsonObjectBuilder runtime = JSON.createObjectBuilder()
                .add("version", stats.goVersion())
                .add("maxProcs", stats.maxProcs())
                .add("arch", stats.arch())
                .add("os", stats.os())
                .add("env", stats.env());
        return JSON.createObjectBuilder()
                .add("nID", stats.nodeId())
                .add("version", stats.version())
                .add("error", stats.error())
                .add("component", stats.component())
                .add("uptimeSeconds", stats.uptimeSeconds())
                .add("disk", disk)
                .add("runtime", runtime)
                .build().toString().getBytes(StandardCharsets.UTF_8);
    }
}
