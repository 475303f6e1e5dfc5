package com.hydden.diagnostics.bundle;

import com.hydden.diagnostics.audit.AuditRecord;
import com.hydden.diagnostics.auth.Caller;
import com.hydden.diagnostics.auth.Grant;
import com.hydden.diagnostics.auth.Permissions;
import com.hydden.diagnostics.cpu.CpuRuns;
import com.hydden.diagnostics.pprof.DeltaProfiles;
import com.hydden.diagnostics.audit.RequestEnded;
import com.hydden.diagnostics.grid.NodeCalls;
import com.hydden.diagnostics.grid.NodeDirectory;
import com.hydden.diagnostics.pprof.ClientConnection;
import com.hydden.diagnostics.pprof.DisconnectWatch;
import com.hydden.diagnostics.pprof.PprofRequest;
import com.hydden.diagnostics.pprof.ProfileType;
import com.hydden.diagnostics.pprof.ProfileWriters;
import com.hydden.diagnostics.pprof.RequestLimits;
import com.hydden.diagnostics.problem.Problem;
import com.hydden.diagnostics.problem.ProblemException;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
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
import jakarta.ws.rs.core.SecurityContext;
import java.io.IOException;
import java.io.InputStream;
import java.security.Principal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code POST /internal/v1/bundle}: several profiles (and the stats) of many nodes in one zip, streamed.
 *
 * <p>Everything that can refuse the whole bundle is decided before the first byte: the body (400), the
 * permission for every item (403), and a place in the limits for the first items (429 or 503 when none of
 * them gets one). After that the answer is 200 and each item's success or failure is in the archive.
 */
@ApplicationScoped
@Path("bundle")
public class BundleResource {

    static final String MAX_NODES_KEY = "diagnostics.bundle.max-nodes";
    static final String PARALLELISM_KEY = "diagnostics.bundle.parallelism";
    static final String MEDIA_TYPE = "application/zip";
    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    @Inject
    @ConfigProperty(name = MAX_NODES_KEY)
    int maxNodes;

    @Inject
    @ConfigProperty(name = PARALLELISM_KEY)
    int parallelism;

    @Inject
    NodeDirectory nodes;

    @Inject
    NodeCalls calls;

    @Inject
    CpuRuns cpuRuns;

    @Inject
    Permissions permissions;

    @Inject
    DeltaProfiles deltas;

    @Inject
    RequestLimits limits;

    @Inject
    ProfileWriters writers;

    @Inject
    DisconnectWatch disconnects;

    @Inject
    Event<BundleItemEnded> itemsEnded;

    private ItemCollector collector;

    @PostConstruct
    void start() {
        requireAtLeastOne(MAX_NODES_KEY, maxNodes);
        requireAtLeastOne(PARALLELISM_KEY, parallelism);
        collector = new ItemCollector(nodes, calls, limits, cpuRuns, deltas);
    }

    void loadAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // observing startup creates the bean now, so a bad configuration stops the deployment
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public void bundle(@Context HttpHeaders headers, @Context HttpServletResponse servletResponse,
                       @Context ContainerRequestContext context, @Context SecurityContext security,
                       InputStream body, @Suspended AsyncResponse response) throws IOException {
        Instant arrived = Instant.now();
        requireJson(headers);
        BundleRequest request = BundleRequest.read(body, limits.maxSeconds(), maxNodes);
        AuditRecord audit = AuditRecord.of(context);
        audit.asked(null, request.module(), null, request.seconds() == null ? 0 : request.seconds());
        List<Item> items = items(nodes(request), request, audit, security);
        authorize(Caller.of(context), items, request);
        BundleRun run = new BundleRun(items, item -> collect(item, request), parallelism);
        List<Item> started;
        try {
            started = run.startMore();
        } catch (RuntimeException e) {
            run.cancel();
            throw e;
        }
        refuseIfNoneStarts(run, started);
        Optional<ClientConnection> connection = ClientConnection.of(servletResponse);
        // watched until the archive's last byte: an item may keep the writer waiting for its cpu seconds
        Runnable stopWatching = disconnects.watch(connection, run::cancel);
        Manifest manifest = new Manifest(audit.bundleId(), callerName(security), arrived, request);
        BundleBody answer = new BundleBody(run, manifest, connection, stopWatching, audit);
        writers.execute(() -> {
            if (!response.resume(ok(arrived, answer))) {
                run.cancel();
                stopWatching.run();
                audit.unanswered();
            }
        });
    }

    private List<String> nodes(BundleRequest request) {
        if (!request.everyListedNode()) {
            return request.clients();
        }
        List<String> listed = nodes.listedIds();
        if (listed.isEmpty()) {
            throw PprofRequest.bad("clients is \"*\", but diagnostics.grid.nodes lists no node");
        }
        if (listed.size() > maxNodes) {
            throw PprofRequest.bad("clients \"*\" selects " + listed.size() + " nodes, more than the "
                    + maxNodes + " a bundle may have");
        }
        return listed;
    }

    /** Per node its stats, then its profiles in the order asked; the manifest keeps this order. */
    private List<Item> items(List<String> clients, BundleRequest request, AuditRecord audit,
                             SecurityContext security) {
        Consumer<RequestEnded> ended =
                facts -> itemsEnded.fire(new BundleItemEnded(facts.profile(), facts.status(), facts.outcome()));
        List<Item> items = new ArrayList<>();
        for (String node : clients) {
            items.add(item(node, null, request, audit.item(security, ended)));
            for (ProfileType profile : request.profiles()) {
                items.add(item(node, profile, request, audit.item(security, ended)));
            }
        }
        return items;
    }

    private Item item(String node, ProfileType profile, BundleRequest request, AuditRecord record) {
        Item item = new Item(node, profile, record);
        record.asked(node, request.module(), item.name(), profile == null ? 0 : seconds(request, profile));
        return item;
    }

    /**
     * Every profile item is checked as the single endpoint checks it, before anything starts (403 on the first
     * that is not allowed). A node's stats come with any profile of it the caller may take.
     */
    private void authorize(Caller caller, List<Item> items, BundleRequest request) {
        for (Item item : items) {
            if (item.profile != null) {
                Grant grant = permissions.check(caller, item.profile.wireName(), item.node,
                        seconds(request, item.profile));
                item.audit.granted(grant.role(), grant.profiles(), grant.nodes());
            }
        }
    }

    /**
     * An item's seconds, as the single endpoint would take them: for cpu the sampling time (as asked, else the
     * default), for the other profiles the delta's window (0, one snapshot, when none was asked).
     */
    private int seconds(BundleRequest request, ProfileType profile) {
        if (profile == ProfileType.CPU) {
            return request.seconds() != null ? request.seconds()
                    : Math.min(PprofRequest.DEFAULT_CPU_SECONDS, limits.maxSeconds());
        }
        return request.seconds() == null ? 0 : request.seconds();
    }

    private ItemCall collect(Item item, BundleRequest request) {
        if (item.profile == null) {
            return collector.stats(item.node);
        }
        return collector.collect(item.node, request.module(), item.profile, seconds(request, item.profile));
    }

    /**
     * When not one of the first items got a place in the limits, the bundle is refused as a single request
     * would be (503 before 429), with Retry-After: it could only have answered refusals.
     */
    private static void refuseIfNoneStarts(BundleRun run, List<Item> started) {
        if (started.isEmpty() || !started.stream().allMatch(Item::refusedByLimits)) {
            return;
        }
        run.cancel();
        ProblemException refusal = started.stream()
                .map(item -> item.call.outcome().join().problem())
                .filter(problem -> problem.problem().status() == 503)
                .findFirst()
                .orElse(started.get(0).call.outcome().join().problem());
        throw refusal;
    }

    private static String callerName(SecurityContext security) {
        Principal principal = security == null ? null : security.getUserPrincipal();
        return principal == null ? null : principal.getName();
    }

    private static void requireJson(HttpHeaders headers) {
        // @Consumes lets a request without Content-Type through; the contract says JSON only.
        if (headers.getMediaType() == null) {
            throw Problem.of(Response.Status.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
                    "the request body must be application/json").exception();
        }
    }

    private static Response ok(Instant arrived, BundleBody body) {
        return Response.ok(body, MEDIA_TYPE)
                .header("Content-Disposition", "attachment; filename=hydden-bundle-" + FILE_TIME.format(arrived) + ".zip")
                .header("X-Content-Type-Options", "nosniff")
                .header("Cache-Control", "no-store")
                .build();
    }

    private static void requireAtLeastOne(String key, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(key + ": must be at least 1, is " + value);
        }
    }
}
