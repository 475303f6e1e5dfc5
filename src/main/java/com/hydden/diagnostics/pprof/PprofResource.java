package com.hydden.diagnostics.pprof;

import com.hydden.diagnostics.audit.AuditRecord;
import com.hydden.diagnostics.auth.Caller;
import com.hydden.diagnostics.auth.Grant;
import com.hydden.diagnostics.auth.Permissions;
import com.hydden.diagnostics.cpu.CpuRuns;
import com.hydden.diagnostics.grid.NodeAddress;
import com.hydden.diagnostics.grid.NodeCalls;
import com.hydden.diagnostics.grid.NodeDirectory;
import com.hydden.diagnostics.grid.NodeFacts;
import com.hydden.diagnostics.grid.NodeStats;
import com.hydden.diagnostics.grid.ProfileDownload;
import com.hydden.diagnostics.problem.Problem;
import com.hydden.diagnostics.profile.ProfileCodec;
import com.hydden.diagnostics.profile.ProfileWindow;
import io.grpc.Status;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * {@code POST /internal/v1/pprof}: one pprof profile from one grid node, streamed back as the node sends it.
 *
 * <p>The request is suspended while the node works (a cpu profile takes its sampling time), so waiting
 * holds no thread. The status is decided when the first chunk or the failure arrives; the body is then
 * written on a {@link ProfileWriters} thread.
 *
 * <p>A cpu profile is a shared run ({@link CpuRuns}). With {@code seconds}, a profile other than cpu is a delta
 * profile ({@link DeltaProfiles}): two snapshots that far apart, answered as their difference once the second is
 * in. Every 200 carries the node's facts from its (cached) GetStats.
 *
 * <p>One instance serves every request (it keeps no request state), so none is built and injected per call.
 */
@ApplicationScoped
@Path("pprof")
public class PprofResource {

    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @Inject
    NodeDirectory nodes;

    @Inject
    NodeCalls calls;

    @Inject
    Permissions permissions;

    @Inject
    RequestLimits limits;

    @Inject
    CallerLimits callerLimits;

    @Inject
    ProfileWriters writers;

    @Inject
    DisconnectWatch disconnects;

    @Inject
    CpuRuns cpuRuns;

    @Inject
    NodeFacts facts;

    @Inject
    DeltaProfiles deltas;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public void profile(@Context HttpHeaders headers, @Context HttpServletResponse servletResponse,
                        @Context ContainerRequestContext context, InputStream body, @Suspended AsyncResponse response)
            throws IOException {
        Instant arrived = Instant.now();
        requireJson(headers);
        PprofRequest request = PprofRequest.read(body, limits.maxSeconds());
        AuditRecord audit = AuditRecord.of(context);
        audit.asked(request.client(), request.module(), request.profile().wireName(), request.seconds());
        Caller caller = Caller.of(context);
        Grant grant = permissions.check(caller, request.profile().wireName(), request.client(), request.seconds());
        audit.granted(grant.role(), grant.profiles(), grant.nodes());
        NodeAddress node = nodes.resolve(request.client());
        CallerLimits.Permit callerPermit = callerLimits.admit(caller.id());
        RequestLimits.Permit permit;
        try {
            permit = limits.admit();
        } catch (RuntimeException e) {
            callerPermit.close();
            throw e;
        }
        Runnable release = () -> {
            permit.close();
            callerPermit.close();
        };
        Optional<ClientConnection> connection = ClientConnection.of(servletResponse);
        try {
            if (request.profile() == ProfileType.CPU) {
                cpu(request, node, connection, audit, arrived, release, response);
            } else if (request.delta()) {
                delta(request, node, release, arrived, connection, audit, response);
            } else {
                download(request, node, connection, audit, arrived, release, response);
            }
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
    }

    private void download(PprofRequest request, NodeAddress node, Optional<ClientConnection> connection,
                          AuditRecord audit, Instant arrived, Runnable release, AsyncResponse response) {
        NodeFacts.Asked stats = facts.cached(node, request.client());
        ProfileDownload download = calls.profile(node, request.client(), request.module(),
                request.profile().wireName(), request.seconds());
        download.closed().whenComplete((end, never) -> release.run());
        Runnable stopWatching = disconnects.watch(connection,
                () -> download.abandon(Status.CANCELLED.withDescription("the HTTP client disconnected")));
        AtomicBoolean answering = new AtomicBoolean();
        BiConsumer<Optional<NodeStats>, Throwable> answer = (nodeFacts, failure) -> {
            if (!answering.compareAndSet(false, true)) {
                return;
            }
            stopWatching.run();
            if (failure != null) {
                response.resume(failure instanceof CompletionException ? failure.getCause() : failure);
                return;
            }
            ProfileBody profile = new ProfileBody(download::transferTo, connection, audit);
            Response.ResponseBuilder ok = withNodeFacts(ok(request.profile(), arrived, profile), nodeFacts);
            // A small profile is often whole by now: its length goes out with the status, in one write, unchunked.
            download.completeLength().ifPresent(length -> ok.header(HttpHeaders.CONTENT_LENGTH, length));
            if (!response.resume(ok.build())) {
                download.abandon(Status.CANCELLED.withDescription("the HTTP request ended before the answer"));
                audit.unanswered();
            }
        };
        // The node's facts never fail (they are left out instead), so waiting for them never hides the answer.
        download.firstChunk().thenCompose(ready -> stats.awaited()).whenComplete((nodeFacts, failure) -> {
            if (!answering.get()) {
                writers.execute(() -> answer.accept(nodeFacts, failure));
            }
        });
        // Unless a writer has taken it up already, a profile the node has sent whole, small enough for the
        // connection's write queue, is answered on the thread that saw the call end: nothing is left to wait for
        // and the write does not block, so the hand-off to a writer is saved. (When the end arrives with the
        // first chunk, this runs before the first chunk is announced, and no writer is woken.)
        download.allReceived().thenRun(() -> {
            long length = download.completeLength().orElse(0);
            if (length > 0 && length <= ProfileBody.WRITE_QUEUE_BYTES && stats.answer().isDone()) {
                answer.accept(stats.answer().join(), null);
            }
        });
    }

    /** A cpu profile is a shared run: this caller starts one, joins one, or waits for the next. */
    private void cpu(PprofRequest request, NodeAddress node, Optional<ClientConnection> connection, AuditRecord audit,
                     Instant arrived, Runnable release, AsyncResponse response) {
        CpuRuns.Ticket ticket = cpuRuns.join(request.client(), request.module(), request.seconds(), request.waitIfBusy());
        // asked beside the run (cached per node): a cpu run takes seconds, the facts are in long before
        NodeFacts.Asked stats = facts.cached(node, request.client());
        Runnable leave = () -> {
            ticket.leave();
            release.run();
        };
        Runnable stopWatching = disconnects.watch(connection, leave);
        ticket.answer().thenCompose(run -> stats.awaited().thenApply(nodeFacts -> new CpuAnswer(run, nodeFacts)))
                .whenComplete((answered, failure) -> writers.execute(() -> {
            stopWatching.run();
            if (failure != null) {
                leave.run();
                response.resume(failure instanceof CompletionException ? failure.getCause() : failure);
                return;
            }
            CpuRuns.Answer answer = answered.run();
            audit.run(ticket.runId(), ticket.joined(), answer.sharedBy());
            ProfileBody profile = new ProfileBody(out -> {
                try {
                    answer.body().transferTo(out);
                } finally {
                    leave.run();
                }
            }, connection, audit);
            Response ok = withNodeFacts(ok(request.profile(), arrived, profile), answered.node())
                    .header("X-Profile-Window", answer.window())
                    .header("X-Profile-Shared-By", answer.sharedBy())
                    .build();
            if (!response.resume(ok)) {
                leave.run();
                audit.unanswered();
            }
        }));
    }

    /**
     * A delta profile: two snapshots {@code seconds} apart. The request holds its places the whole time
     * and waits on a timer; a client leaving at any point ends the run.
     */
    private void delta(PprofRequest request, NodeAddress node, Runnable release, Instant arrived,
                       Optional<ClientConnection> connection, AuditRecord audit, AsyncResponse response) {
        DeltaRun run = deltas.start(node, request, release);
        Runnable stopWatching = disconnects.watch(connection, run::cancel);
        run.answer().whenComplete((answer, failure) -> writers.execute(() -> {
            stopWatching.run();
            if (failure != null) {
                response.resume(failure instanceof CompletionException ? failure.getCause() : failure);
                return;
            }
            if (!response.resume(deltaOk(request.profile(), arrived, answer))) {
                audit.unanswered();
            }
        }));
    }

    /** A cpu run's answer and the node's facts, both in before the status is decided. */
    private record CpuAnswer(CpuRuns.Answer run, Optional<NodeStats> node) {
    }

    private static void requireJson(HttpHeaders headers) {
        // @Consumes lets a request without Content-Type through; the contract says JSON only.
        if (headers.getMediaType() == null) {
            throw Problem.of(Response.Status.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
                    "the request body must be application/json").exception();
        }
    }

    private static Response.ResponseBuilder ok(ProfileType profile, Instant arrived, ProfileBody body) {
        return Response.ok(body, MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header("Content-Disposition",
                        "attachment; filename=hydden-" + profile.wireName() + "-" + FILE_TIME.format(arrived) + ".out")
                .header("X-Content-Type-Options", "nosniff")
                .header("Cache-Control", "no-store");
    }

    private static Response deltaOk(ProfileType profile, Instant arrived, DeltaRun.Answer delta) {
        StreamingOutput body = out -> ProfileCodec.encode(delta.profile(), out);
        Response.ResponseBuilder answer = Response.ok(body, MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header("Content-Disposition", "attachment; filename=hydden-" + profile.wireName() + "-delta-"
                        + FILE_TIME.format(arrived) + ".out")
                .header("X-Content-Type-Options", "nosniff")
                .header("Cache-Control", "no-store")
                .header("X-Profile-Window", ProfileWindow.format(delta.start(), delta.end()));
        return withNodeFacts(answer, delta.node()).build();
    }

    /**
     * The node facts every 200 carries ({@code X-Grid-Node} and the others, see {@link NodeStats#headers()});
     * none when the node's GetStats did not answer.
     */
    static Response.ResponseBuilder withNodeFacts(Response.ResponseBuilder answer, Optional<NodeStats> node) {
        node.ifPresent(stats -> stats.headers().forEach(answer::header));
        return answer;
    }
}
