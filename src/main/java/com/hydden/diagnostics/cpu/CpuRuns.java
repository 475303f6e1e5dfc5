package com.hydden.diagnostics.cpu;

import com.hydden.diagnostics.cluster.SharedState;
import com.hydden.diagnostics.cluster.Slots;
import com.hydden.diagnostics.grid.DaemonThreads;
import com.hydden.diagnostics.grid.NodeCalls;
import com.hydden.diagnostics.grid.NodeDirectory;
import com.hydden.diagnostics.grid.ProfileDownload;
import com.hydden.diagnostics.problem.Problem;
import com.hydden.diagnostics.problem.ProblemException;
import com.hydden.diagnostics.profile.ProfileWindow;
import io.grpc.Status;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.spi.JsonProvider;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Cpu profiles as shared runs: callers asking for the same node, module and seconds within the share window get
 * one node call's bytes; others are told honestly how long the profiler stays busy, or wait for the next run. The
 * rules live in {@link NodeRuns}, one record per node in the {@link SharedState}; this class carries them out on
 * this instance: it calls the node for the runs it owns, and feeds its own callers, from the node or, for a run
 * another instance owns, from the bytes that instance puts in the shared state.
 *
 * <p>Everything that reacts to a record's change runs on one thread of its own ({@code cpu-runs}), in order: a
 * change made by any instance arrives as an event, and the handler reads the record as it is now.
 */
@ApplicationScoped
public class CpuRuns {

    static final String TABLE = "cpu-runs";
    static final String SHARE_WINDOW_KEY = "diagnostics.pprof.share-window";
    static final String MAX_WAITING_KEY = "diagnostics.pprof.max-waiting-per-node";
    static final String MAX_SHARED_BYTES_KEY = "diagnostics.pprof.max-shared-bytes";
    private static final Logger LOG = Logger.getLogger(CpuRuns.class.getName());
    private static final JsonProvider JSON = JsonProvider.provider();

    @Inject
    SharedState state;

    @Inject
    NodeCalls calls;

    @Inject
    NodeDirectory nodes;

    @Inject
    @ConfigProperty(name = SHARE_WINDOW_KEY)
    Duration shareWindow;

    @Inject
    @ConfigProperty(name = MAX_WAITING_KEY)
    int maxWaiting;

    @Inject
    @ConfigProperty(name = MAX_SHARED_BYTES_KEY)
    long maxSharedBytes;

    @Inject
    @ConfigProperty(name = Slots.LEASE_KEY)
    Duration lease;

    /** This instance's part in each run it has callers in or owns, by run ID. */
    private final Map<String, LocalRun> local = new ConcurrentHashMap<>();
    /**
     * Per node, what changes a run's callers here and the record together: a caller that joined in the record is
     * among this instance's callers before the run can be answered or failed without it.
     */
    private final Object[] nodeLocks = new Object[64];
    private ScheduledExecutorService events;
    private ExecutorService pumps;

    @PostConstruct
    void start() {
        if (shareWindow.isNegative()) {
            throw new IllegalArgumentException(SHARE_WINDOW_KEY + ": must not be negative, is " + shareWindow);
        }
        if (maxWaiting < 0) {
            throw new IllegalArgumentException(MAX_WAITING_KEY + ": must not be negative, is " + maxWaiting);
        }
        if (maxSharedBytes < 1) {
            throw new IllegalArgumentException(MAX_SHARED_BYTES_KEY + ": must be at least 1, is " + maxSharedBytes);
        }
        for (int i = 0; i < nodeLocks.length; i++) {
            nodeLocks[i] = new Object();
        }
        events = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("cpu-runs"));
        pumps = Executors.newCachedThreadPool(DaemonThreads.named("cpu-run-pump"));
        state.listen(TABLE, (node, value) -> events.execute(() -> reconcile(node)));
        long every = Math.max(250, lease.toMillis() / 3);
        events.scheduleWithFixedDelay(this::renewLeases, every, every, TimeUnit.MILLISECONDS);
    }

    void loadAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // observing startup creates the bean now, so a bad configuration stops the deployment
    }

    @PreDestroy
    void stop() {
        events.shutdownNow();
        pumps.shutdownNow();
        local.values().forEach(r -> r.abandon("the application is stopping"));
    }

    /** Callers on this instance in runs, started, joined or waiting, not yet done. */
    public int callers() {
        return local.values().stream().mapToInt(r -> r.tickets.size()).sum();
    }

    /**
     * A caller asks for a cpu profile of {@code client}'s node. It joins, starts, or (with {@code wait}) queues
     * for a run; the ticket's answer comes when the run's window is over.
     *
     * @throws ProblemException 429 {@code profiler-busy} with the seconds left, when it can neither join nor wait
     */
    public Ticket join(String client, String module, int seconds, boolean wait) {
        String member = state.member();
        NodeRuns.Decision[] decided = new NodeRuns.Decision[1];
        LocalRun run;
        Ticket ticket;
        synchronized (lock(client)) {
            update(client, runs -> decided[0] = runs.join(member, module, seconds, wait, state.now(),
                    shareWindow.toMillis(), maxWaiting, lease.toMillis(), () -> UUID.randomUUID().toString()));
            NodeRuns.Decision d = decided[0];
            if (d.kind() == NodeRuns.Kind.BUSY) {
                throw new ProblemException(Problem.of(Response.Status.TOO_MANY_REQUESTS, "profiler-busy",
                        "a cpu profile of this node is being taken; retry in " + d.retryAfterSeconds() + " s"
                                + (wait ? " (" + maxWaiting + " requests already wait for this node)" : "")),
                        Map.of("Retry-After", Long.toString(d.retryAfterSeconds())));
            }
            run = local.computeIfAbsent(d.runId(), id -> new LocalRun(id, client, module, seconds));
            ticket = new Ticket(run, d.kind() != NodeRuns.Kind.STARTED);
            run.tickets.add(ticket);
        }
        NodeRuns.Decision d = decided[0];
        if (d.kind() == NodeRuns.Kind.STARTED) {
            run.begin();
        } else {
            // the record may have moved on before this caller was registered here
            events.execute(() -> reconcile(client));
        }
        return ticket;
    }

    private Object lock(String client) {
        return nodeLocks[Math.floorMod(client.hashCode(), nodeLocks.length)];
    }

    private NodeRuns update(String client, Consumer<NodeRuns> step) {
        NodeRuns[] after = new NodeRuns[1];
        state.update(TABLE, client, old -> {
            NodeRuns runs = NodeRuns.parse(old);
            step.accept(runs);
            after[0] = runs;
            return runs.format();
        });
        return after[0];
    }

    /** Brings this instance's runs of {@code client} in line with the record as it is now. */
    private void reconcile(String client) {
        List<LocalRun> mine = local.values().stream().filter(r -> r.client.equals(client)).toList();
        if (mine.isEmpty()) {
            return;
        }
        synchronized (lock(client)) {
            NodeRuns runs = NodeRuns.parse(state.get(TABLE, client));
            for (LocalRun run : mine) {
                try {
                    run.reconcile(runs.run(run.id));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "cpu run " + run.id + " of node " + client + ": cannot follow its record", e);
                }
            }
        }
    }

    private void renewLeases() {
        String member = state.member();
        for (String client : local.values().stream().map(r -> r.client).distinct().toList()) {
            try {
                update(client, runs -> {
                    long now = state.now();
                    runs.renew(member, now + lease.toMillis());
                    runs.prune(now);
                });
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot renew the cpu-run lease for node " + client + "; retrying", e);
            }
        }
    }

    /** What a caller gets once its run's window is over: the 200's facts and its own reader of the bytes. */
    public record Answer(String window, int sharedBy, Body body) {
    }

    /** A caller's copy of the run's bytes. */
    @FunctionalInterface
    public interface Body {
        /** @throws IOException when the run failed mid-way, or {@link #isTooSlow this caller fell too far behind} */
        void transferTo(OutputStream out) throws IOException;
    }

    /** Whether a body failed because its caller fell more than the run may hold behind the others. */
    public static boolean isTooSlow(IOException e) {
        return e instanceof RunBytes.TooSlow;
    }

    /** One caller's place in a run. */
    public final class Ticket {
        private final LocalRun run;
        private final boolean joined;
        private final CompletableFuture<Answer> answer = new CompletableFuture<>();
        private final AtomicBoolean left = new AtomicBoolean();
        private RunBytes.Reader reader;

        private Ticket(LocalRun run, boolean joined) {
            this.run = run;
            this.joined = joined;
        }

        /** Completes when the window is over; fails with the {@link ProblemException} to answer instead. */
        public CompletionStage<Answer> answer() {
            return answer;
        }

        public String runId() {
            return run.id;
        }

        /** Whether this caller joined (or waited for) a run rather than starting it. */
        public boolean joined() {
            return joined;
        }

        /** This caller is done or gone; the run goes on for the others, and ends when none is left. */
        public void leave() {
            if (!left.compareAndSet(false, true)) {
                return;
            }
            answer.completeExceptionally(new ProblemException(Problem.of(Response.Status.INTERNAL_SERVER_ERROR,
                    "profiling-failed", "the request ended before the profile was taken")));
            synchronized (run) {
                if (reader != null) {
                    reader.close();
                }
            }
            run.tickets.remove(this);
            String member = state.member();
            try {
                update(run.client, runs -> runs.leave(member, run.id, state.now()));
            } finally {
                run.forgetIfDone();
            }
        }
    }

    /** This instance's part in one run: the owner's node call, or a copy fed from the shared state. */
    private final class LocalRun {
        final String id;
        final String client;
        final String module;
        final int seconds;
        final List<Ticket> tickets = new CopyOnWriteArrayList<>();
        final RunBytes bytes = new RunBytes(maxSharedBytes);
        private final AtomicBoolean begun = new AtomicBoolean();
        private volatile ProfileDownload download; // set when this instance calls the node
        private volatile Instant windowStart;
        private boolean answered;                  // guarded by this
        private boolean over;                      // guarded by this: bytes complete or failed
        private int fetched;                       // chunks copied from the shared state (events thread)

        LocalRun(String id, String client, String module, int seconds) {
            this.id = id;
            this.client = client;
            this.module = module;
            this.seconds = seconds;
        }

        /** This instance owns the run: call the node. */
        void begin() {
            if (!begun.compareAndSet(false, true)) {
                return;
            }
            windowStart = Instant.ofEpochMilli(state.now());
            ProfileDownload call;
            try {
                call = calls.profile(nodes.resolve(client), client, module, "cpu", seconds);
            } catch (ProblemException refused) {
                ended(refused);
                return;
            }
            download = call;
            NodeRuns after = update(client, runs -> runs.began(id, windowStart.toEpochMilli()));
            if (after.run(id).isEmpty()) {
                call.abandon(Status.CANCELLED.withDescription("every caller of the cpu run left"));
            }
            call.firstChunk().whenComplete((ready, failure) -> events.execute(() -> {
                if (failure != null) {
                    ended(failure instanceof CompletionException ? failure.getCause() : failure);
                } else {
                    streaming();
                }
            }));
        }

        /** The owner's first chunk came: the window is over; answer the callers and pump the bytes. */
        private void streaming() {
            String window = ProfileWindow.format(windowStart, Instant.ofEpochMilli(state.now()));
            boolean others;
            synchronized (lock(client)) {
                NodeRuns after = update(client, runs -> runs.streaming(id, window));
                Optional<NodeRuns.Run> run = after.run(id);
                others = run.map(r -> r.callers.keySet().stream().anyMatch(m -> !m.equals(state.member())))
                        .orElse(false);
                answer(window, run.map(r -> r.sharedBy).orElse(tickets.size()));
            }
            pumps.execute(() -> pump(others));
        }

        private void pump(boolean publish) {
            int[] chunks = {0};
            try {
                download.transferTo(new OutputStream() {
                    @Override
                    public void write(int b) {
                        write(new byte[]{(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        byte[] chunk = Arrays.copyOfRange(b, off, off + len);
                        bytes.append(chunk);
                        if (publish) {
                            state.putBytes(id + "/" + chunks[0], chunk, bytesTtl());
                            int published = ++chunks[0];
                            update(client, runs -> runs.published(id, published));
                        }
                    }
                });
                if (publish) {
                    state.putBytes(id + "/end", end("ok", chunks[0]), bytesTtl());
                }
                finish(null);
            } catch (IOException | RuntimeException e) {
                if (publish) {
                    state.putBytes(id + "/end", "failed".getBytes(StandardCharsets.UTF_8), bytesTtl());
                }
                finish(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
            }
        }

        private byte[] end(String outcome, int chunks) {
            return JSON.createObjectBuilder().add("outcome", outcome).add("chunks", chunks).build().toString()
                    .getBytes(StandardCharsets.UTF_8);
        }

        /** The owner's run ended before any byte: every caller, here and elsewhere, gets the same answer. */
        private void ended(Throwable failure) {
            ProblemException problem = failure instanceof ProblemException p ? p
                    : new ProblemException(Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "profiling-failed",
                    "profiling failed on the node"));
            if (!(failure instanceof ProblemException)) {
                LOG.log(Level.WARNING, "cpu run " + id + " of node " + client + " failed", failure);
            }
            if (state.distributed()) {
                state.putBytes(id + "/end", problemJson(problem), bytesTtl());
            }
            synchronized (lock(client)) {
                fail(problem);
                update(client, runs -> runs.finished(id, state.now()));
            }
            synchronized (this) {
                over = true;
            }
            forgetIfDone();
        }

        private void finish(IOException failure) {
            if (failure == null) {
                bytes.complete();
            } else {
                bytes.fail(failure);
            }
            synchronized (this) {
                over = true;
            }
            update(client, runs -> runs.finished(id, state.now()));
            forgetIfDone();
        }

        /** Follows the record: begin a run passed to this instance, cancel one nobody wants, copy another's bytes. */
        void reconcile(Optional<NodeRuns.Run> record) {
            synchronized (this) {
                if (over) {
                    return;
                }
            }
            if (record.isPresent()) {
                NodeRuns.Run r = record.get();
                boolean mine = state.member().equals(r.owner);
                if (mine && r.state.equals(NodeRuns.STARTING) && !tickets.isEmpty()) {
                    begin();
                } else if (download != null && r.callerCount() == 0) {
                    download.abandon(Status.CANCELLED.withDescription("every caller of the cpu run left"));
                } else if (!mine && download == null && r.state.equals(NodeRuns.STREAMING)) {
                    answer(r.window, r.sharedBy);
                    copy(r.chunks);
                }
                return;
            }
            if (download != null) {
                // the record dropped the run (its callers' instances are gone): nobody is left to serve
                download.abandon(Status.CANCELLED.withDescription("the cpu run is no longer wanted"));
                return;
            }
            byte[] end = state.bytes(id + "/end");
            String text = end == null ? null : new String(end, StandardCharsets.UTF_8);
            if (text == null || text.equals("failed")) {
                IOException gone = new IOException(text == null
                        ? "the instance that ran this cpu profile left the cluster" : "the cpu run failed at its owner");
                if (!isAnswered()) {
                    fail(new ProblemException(Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "profiling-failed",
                            "profiling failed: " + gone.getMessage())));
                }
                finish(gone);
                return;
            }
            JsonObject json = JSON.createReader(new StringReader(text)).readObject();
            if (json.containsKey("type")) {
                fail(problem(json));
                finish(new IOException("the cpu run failed"));
                return;
            }
            if (!isAnswered()) {
                fail(new ProblemException(Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "profiling-failed",
                        "the cpu run ended before this instance saw its window")));
            }
            copy(json.getInt("chunks"));
            finish(null);
        }

        private void copy(int available) {
            for (; fetched < available; fetched++) {
                byte[] chunk = state.bytes(id + "/" + fetched);
                if (chunk == null) {
                    throw new IllegalStateException("chunk " + fetched + " of cpu run " + id + " is missing");
                }
                bytes.append(chunk);
            }
        }

        private synchronized boolean isAnswered() {
            return answered;
        }

        /** Opens a reader for every caller here, then answers them all: the same window and count for each. */
        private void answer(String window, int sharedBy) {
            synchronized (this) {
                if (answered) {
                    return;
                }
                answered = true;
                for (Ticket t : tickets) {
                    t.reader = bytes.reader();
                }
                bytes.seal();
            }
            for (Ticket t : tickets) {
                RunBytes.Reader reader = t.reader;
                t.answer.complete(new Answer(window, sharedBy, reader::transferTo));
            }
        }

        private void fail(ProblemException problem) {
            synchronized (this) {
                answered = true;
            }
            tickets.forEach(t -> t.answer.completeExceptionally(problem));
        }

        void abandon(String why) {
            ProfileDownload d = download;
            if (d != null) {
                d.abandon(Status.CANCELLED.withDescription(why));
            }
        }

        /** Forgets the run here once it is over and none of this instance's callers is left. */
        synchronized void forgetIfDone() {
            boolean owned = download != null;
            if (tickets.isEmpty() && (!owned || over)) {
                local.remove(id, this);
            }
        }
    }

    private Duration bytesTtl() {
        return lease.multipliedBy(2).plusMinutes(1);
    }

    private static byte[] problemJson(ProblemException e) {
        var json = JSON.createObjectBuilder()
                .add("type", e.problem().type())
                .add("title", e.problem().title())
                .add("status", e.problem().status())
                .add("detail", e.problem().detail());
        var headers = JSON.createObjectBuilder();
        e.headers().forEach(headers::add);
        return json.add("headers", headers).build().toString().getBytes(StandardCharsets.UTF_8);
    }

    private static ProblemException problem(JsonObject json) {
        Problem p = new Problem(json.getString("type"), json.getString("title"), json.getInt("status"),
                json.getString("detail"));
        Map<String, String> headers = new HashMap<>();
        json.getJsonObject("headers").forEach((k, v) -> headers.put(k, ((JsonString) v).getString()));
        return new ProblemException(p, headers);
    }
}
