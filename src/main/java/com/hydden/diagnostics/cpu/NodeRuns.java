package com.hydden.diagnostics.cpu;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The cpu runs of one node as every instance sees them, and the rules for joining, waiting and leaving them. One
 * value in the shared state per node; each method is one step of an atomic update, pure apart from the record
 * itself, and takes the time as an argument (tests drive it with a fake clock).
 *
 * <p>A run is a node call: {@code starting} (its owner instance is about to call the node), {@code sampling} (the
 * node samples; nothing comes before the window ends), then {@code streaming}. Callers are counted per instance.
 * Per module at most one run is at the node (Go allows one cpu profile per process); callers who chose to wait
 * queue as further runs, one per sampling time, promoted to {@code starting} when the current one finishes.
 *
 * <p>Each instance holds a lease in the record while it has callers there and renews it; an instance whose lease
 * ran out is gone: its callers are dropped, and a run it owned ends (the next is promoted).
 */
final class NodeRuns {

    static final String STARTING = "starting";
    static final String SAMPLING = "sampling";
    static final String STREAMING = "streaming";
    static final String WAITING = "waiting";
    private static final JsonProvider JSON = JsonProvider.provider();

    final Map<String, Long> leases = new LinkedHashMap<>();
    final List<Run> running = new ArrayList<>();
    final List<Run> waiting = new ArrayList<>();

    static final class Run {
        String id;
        String module;
        int seconds;
        String owner;
        long startMillis;
        String state;
        final Map<String, Integer> callers = new LinkedHashMap<>();
        int sharedBy;
        String window;
        int chunks;

        int callerCount() {
            return callers.values().stream().mapToInt(Integer::intValue).sum();
        }

        /** Whole seconds until the node is free again, at least 1. */
        long retryAfterSeconds(long now) {
            long left = startMillis + seconds * 1000L - now;
            return Math.max(1, (left + 999) / 1000);
        }
    }

    /** What {@link #join} decided for one caller. */
    enum Kind { STARTED, JOINED, WAITING, BUSY }

    record Decision(Kind kind, String runId, long retryAfterSeconds) {
    }

    // ---- the rules ----

    /**
     * A caller on {@code member} asks for a cpu profile. It joins a run of the same module and seconds that started
     * at most {@code shareMillis} ago and has not begun to stream; otherwise starts one when the module's profiler is
     * free; otherwise waits (if it asked to and fewer than {@code maxWaiting} wait on this node) or is busy.
     */
    Decision join(String member, String module, int seconds, boolean wait, long now, long shareMillis, int maxWaiting,
                  long leaseMillis, Supplier<String> newId) {
        prune(now);
        Optional<Run> current = running.stream().filter(r -> r.module.equals(module)).findFirst();
        if (current.isEmpty()) {
            Run run = newRun(newId.get(), module, seconds, member, now, STARTING);
            run.callers.put(member, 1);
            running.add(run);
            renew(member, now + leaseMillis);
            return new Decision(Kind.STARTED, run.id, 0);
        }
        Run run = current.get();
        boolean joinable = run.seconds == seconds && !run.state.equals(STREAMING) && now - run.startMillis <= shareMillis;
        if (joinable) {
            run.callers.merge(member, 1, Integer::sum);
            renew(member, now + leaseMillis);
            return new Decision(Kind.JOINED, run.id, 0);
        }
        int queued = waiting.stream().mapToInt(Run::callerCount).sum();
        if (!wait || queued >= maxWaiting) {
            return new Decision(Kind.BUSY, run.id, run.retryAfterSeconds(now));
        }
        Run next = waiting.stream().filter(w -> w.module.equals(module) && w.seconds == seconds).findFirst()
                .orElseGet(() -> {
                    Run w = newRun(newId.get(), module, seconds, null, now, WAITING);
                    waiting.add(w);
                    return w;
                });
        next.callers.merge(member, 1, Integer::sum);
        renew(member, now + leaseMillis);
        return new Decision(Kind.WAITING, next.id, 0);
    }

    /** The owner called the node: the sampling window opens now. */
    void began(String runId, long now) {
        run(runId).ifPresent(r -> {
            r.state = SAMPLING;
            r.startMillis = now;
        });
    }

    /** The first bytes came: the window is over, and so is joining; the callers now attached are the ones served. */
    void streaming(String runId, String window) {
        run(runId).ifPresent(r -> {
            r.state = STREAMING;
            r.window = window;
            r.sharedBy = r.callerCount();
        });
    }

    /** The owner has put {@code chunks} chunks in the shared state for the other instances' callers. */
    void published(String runId, int chunks) {
        run(runId).ifPresent(r -> r.chunks = chunks);
    }

    /**
     * One caller on {@code member} is gone (left, or read everything). A run not yet at the node passes to another
     * instance with callers when its owner has none left.
     */
    void leave(String member, String runId, long now) {
        for (Run r : all()) {
            if (r.id.equals(runId)) {
                r.callers.computeIfPresent(member, (m, n) -> n > 1 ? n - 1 : null);
                if (r.state.equals(STARTING) && !r.callers.containsKey(r.owner)) {
                    r.owner = r.callers.keySet().stream().findFirst().orElse(null);
                }
            }
        }
        prune(now);
    }

    /** The run's node call is over: the module's profiler is free, and the first run waiting for it is promoted. */
    void finished(String runId, long now) {
        running.removeIf(r -> r.id.equals(runId));
        prune(now);
    }

    /** Keeps {@code member}'s callers and runs alive until {@code untilMillis}; drops its lease when it has none. */
    void renew(String member, long untilMillis) {
        if (all().stream().anyMatch(r -> r.callers.containsKey(member) || member.equals(r.owner))) {
            leases.put(member, untilMillis);
        } else {
            leases.remove(member);
        }
    }

    /**
     * Drops what instances whose lease ran out held, runs without callers that are not at the node, and promotes
     * waiting runs whose module has become free.
     */
    void prune(long now) {
        leases.values().removeIf(until -> until < now);
        for (Run r : all()) {
            r.callers.keySet().retainAll(leases.keySet());
        }
        // a run whose owner is gone can never end; one nobody wants that is not at the node yet need not start
        running.removeIf(r -> r.owner == null || !leases.containsKey(r.owner)
                || r.callers.isEmpty() && r.state.equals(STARTING));
        waiting.removeIf(r -> r.callers.isEmpty());
        for (Run w : List.copyOf(waiting)) {
            if (running.stream().noneMatch(r -> r.module.equals(w.module))) {
                waiting.remove(w);
                w.state = STARTING;
                w.startMillis = now;
                w.owner = w.callers.keySet().iterator().next();
                running.add(w);
            }
        }
        leases.keySet().removeIf(m -> all().stream().noneMatch(r -> r.callers.containsKey(m) || m.equals(r.owner)));
    }

    Optional<Run> run(String runId) {
        return all().stream().filter(r -> r.id.equals(runId)).findFirst();
    }

    boolean isEmpty() {
        return running.isEmpty() && waiting.isEmpty();
    }

    private List<Run> all() {
        List<Run> all = new ArrayList<>(running);
        all.addAll(waiting);
        return all;
    }

    private static Run newRun(String id, String module, int seconds, String owner, long now, String state) {
        Run r = new Run();
        r.id = id;
        r.module = module;
        r.seconds = seconds;
        r.owner = owner;
        r.startMillis = now;
        r.state = state;
        return r;
    }

    // ---- the stored form: JSON, JDK types only ----

    static NodeRuns parse(String value) {
        NodeRuns runs = new NodeRuns();
        if (value == null) {
            return runs;
        }
        JsonObject json = JSON.createReader(new StringReader(value)).readObject();
        json.getJsonObject("leases").forEach((m, v) -> runs.leases.put(m, ((JsonNumber) v).longValue()));
        json.getJsonArray("running").forEach(v -> runs.running.add(run(v.asJsonObject())));
        json.getJsonArray("waiting").forEach(v -> runs.waiting.add(run(v.asJsonObject())));
        return runs;
    }

    /** Null when nothing is left, so an idle node leaves nothing behind. */
    String format() {
        if (isEmpty() && leases.isEmpty()) {
            return null;
        }
        JsonObjectBuilder leaseJson = JSON.createObjectBuilder();
        leases.forEach(leaseJson::add);
        return JSON.createObjectBuilder()
                .add("leases", leaseJson)
                .add("running", array(running))
                .add("waiting", array(waiting))
                .build().toString();
    }

    private static JsonArrayBuilder array(List<Run> runs) {
        JsonArrayBuilder a = JSON.createArrayBuilder();
        for (Run r : runs) {
            JsonObjectBuilder callers = JSON.createObjectBuilder();
            r.callers.forEach(callers::add);
            JsonObjectBuilder o = JSON.createObjectBuilder()
                    .add("id", r.id).add("module", r.module).add("seconds", r.seconds)
                    .add("start", r.startMillis).add("state", r.state).add("callers", callers)
                    .add("sharedBy", r.sharedBy).add("chunks", r.chunks);
            if (r.owner != null) {
                o.add("owner", r.owner);
            }
            if (r.window != null) {
                o.add("window", r.window);
            }
            a.add(o);
        }
        return a;
    }

    private static Run run(JsonObject o) {
        Run r = newRun(o.getString("id"), o.getString("module"), o.getInt("seconds"), o.getString("owner", null),
                o.getJsonNumber("start").longValue(), o.getString("state"));
        o.getJsonObject("callers").forEach((m, v) -> r.callers.put(m, ((JsonNumber) v).intValue()));
        r.sharedBy = o.getInt("sharedBy");
        r.window = o.containsKey("window") && o.get("window") != JsonValue.NULL ? o.getString("window") : null;
        r.chunks = o.getInt("chunks");
        return r;
    }
}
