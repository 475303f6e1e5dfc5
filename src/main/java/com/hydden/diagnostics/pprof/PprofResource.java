package com.hydden.diagnostics.pprof;

import com.hydden.diagnostics.audit.AuditRecord;
import com.hydden.diagnostics.grid.NodeAddress;
import com.hydden.diagnostics.grid.NodeCalls;
import com.hydden.diagnostics.grid.NodeDirectory;
import com.hydden.diagnostics.grid.NodeFacts;
import com.hydden.diagnostics.grid.NodeStats;
import com.hydden.diagnostics.grid.ProfileDownload;
import com.hydden.diagnostics.problem.Problem;
import com.hydden.diagnostics.profile.ProfileCodec;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST /internal/v1/pprof}: one pprof profile from one grid node, streamed back as the node sends it.
 *
 * <p>The request is suspended while the node works (a cpu profile takes its sampling time), so waiting
 * holds no thread. The status is decided when the first chunk or the failure arrives; the body is then
 * written on a {@link ProfileWriters} thread.
 *
 * <p>With {@code seconds}, a profile other than cpu is a delta profile ({@link DeltaProfiles}): two snapshots
 * that far apart, answered as their difference once the second is in.
 *
 * <p>One instance serves every request (it keeps no request state), so none is built and injected per call.
 */
@ApplicationScoped
@Path("pprof")
public class PprofResource {

    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter WINDOW_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Inject
    NodeDirectory nodes;

    @Inject
    NodeCalls calls;

    @Inject
    RequestLimits limits;

    @Inject
    ProfileWriters writers;

    @Inject
    DisconnectWatch disconnects;

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
        NodeAddress node = nodes.resolve(request.client());
        RequestLimits.Permit permit = limits.admit(request.client());
        if (request.delta()) {
            delta(request, node, permit, arrived, servletResponse, audit, response);
            return;
        }
        CompletableFuture<Optional<NodeStats>> stats = facts.cached(node, request.client());
        ProfileDownload download;
        try {
            download = calls.profile(node, request.client(), request.module(), request.profile().wireName(),
                    request.seconds());
        } catch (RuntimeException e) {
            permit.close();
            throw e;
        }
        download.closed().whenComplete((end, never) -> permit.close());
        Optional<ClientConnection> connection = ClientConnection.of(servletResponse);
        Runnable stopWatching = disconnects.watch(connection,
                () -> download.abandon(Status.CANCELLED.withDescription("the HTTP client disconnected")));
        // The node's facts never fail (they are left out instead), so waiting for them never hides the answer.
        download.firstChunk().thenCompose(ready -> stats).whenComplete((nodeFacts, failure) -> writers.execute(() -> {
            stopWatching.run();
            if (failure != null) {
                response.resume(failure instanceof CompletionException ? failure.getCause() : failure);
                return;
            }
            ProfileBody profile = new ProfileBody(download, connection, audit);
            if (!response.resume(ok(request.profile(), arrived, profile, nodeFacts))) {
                download.abandon(Status.CANCELLED.withDescription("the HTTP request ended before the answer"));
                audit.unanswered();
            }
        }));
    }

    /**
     * A delta profile: two snapshots {@code seconds} apart. The request holds its node place the whole time
     * and waits on a timer; a client leaving at any point ends the run.
     */
    private void delta(PprofRequest request, NodeAddress node, RequestLimits.Permit permit, Instant arrived,
                       HttpServletResponse servletResponse, AuditRecord audit, AsyncResponse response) {
        DeltaRun run;
        try {
            run = deltas.start(node, request, permit);
        } catch (RuntimeException e) {
            permit.close();
            throw e;
        }
        Runnable stopWatching = disconnects.watch(ClientConnection.of(servletResponse), run::cancel);
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

    private static void requireJson(HttpHeaders headers) {
        // @Consumes lets a request without Content-Type through; the contract says JSON only.
        if (headers.getMediaType() == null) {
            throw Problem.of(Response.Status.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
                    "the request body must be application/json").exception();
        }
    }

    private static Response ok(ProfileType profile, Instant arrived, ProfileBody body, Optional<NodeStats> node) {
        Response.ResponseBuilder answer = Response.ok(body, MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header("Content-Disposition",
                        "attachment; filename=hydden-" + profile.wireName() + "-" + FILE_TIME.format(arrived) + ".out")
                .header("X-Content-Type-Options", "nosniff")
                .header("Cache-Control", "no-store");
        return withNodeFacts(answer, node).build();
    }

    private static Response deltaOk(ProfileType profile, Instant arrived, DeltaRun.Answer delta) {
        StreamingOutput body = out -> ProfileCodec.encode(delta.profile(), out);
        Response.ResponseBuilder answer = Response.ok(body, MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header("Content-Disposition", "attachment; filename=hydden-" + profile.wireName() + "-delta-"
                        + FILE_TIME.format(arrived) + ".out")
                .header("X-Content-Type-Options", "nosniff")
                .header("Cache-Control", "no-store")
                .header("X-Profile-Window", window(delta.start(), delta.end()));
        return withNodeFacts(answer, delta.node()).build();
    }

    /** {@code <start>/<end>}: an ISO 8601 time interval, both ends UTC to the millisecond. */
    static String window(Instant start, Instant end) {
        return WINDOW_TIME.format(start) + "/" + WINDOW_TIME.format(end);
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
