package com.hydden.diagnostics.bundle;

import com.hydden.diagnostics.pprof.ProfileType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The items of one bundle, run at most {@code parallelism} at a time and handed to the writer as each
 * outcome becomes known. An item whose profile is ready waits, its node held by flow control, until the
 * writer takes it: memory follows the parallelism, not the number of nodes.
 *
 * <p>cpu items start first, so the sampling windows of all nodes (as many as the parallelism allows) begin
 * together. A node has at most one call of the bundle at a time: a bundle alone never takes more than one
 * of a node's places in {@code diagnostics.pprof.max-per-node}, and never competes with itself for the
 * node's one cpu profiler.
 *
 * <p>Starting and taking happen on one thread at a time (the request's, then the writer's); the outcome
 * callbacks only queue, and {@link #cancel} may come from any thread.
 */
final class BundleRun {

    /** How long the writer waits for an outcome before it looks whether the run was cancelled. */
    static final long CANCEL_CHECK_MILLIS = 100;

    private final List<Item> items;
    private final LinkedList<Item> pending;
    private final Function<Item, ItemCall> start;
    private final int parallelism;
    private final Set<String> busyNodes = new HashSet<>();
    private final Set<Item> running = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<Item> ready = new LinkedBlockingQueue<>();
    private volatile boolean cancelled;
    private int taken;

    BundleRun(List<Item> items, Function<Item, ItemCall> start, int parallelism) {
        this.items = List.copyOf(items);
        this.start = start;
        this.parallelism = parallelism;
        pending = new LinkedList<>();
        items.stream().filter(i -> i.profile == ProfileType.CPU).forEach(pending::add);
        items.stream().filter(i -> i.profile != ProfileType.CPU).forEach(pending::add);
    }

    List<Item> items() {
        return items;
    }

    /** Starts items until {@code parallelism} run or none can start; returns those started now. */
    List<Item> startMore() {
        List<Item> started = new ArrayList<>();
        for (Iterator<Item> next = pending.iterator(); next.hasNext() && running.size() < parallelism && !cancelled; ) {
            Item item = next.next();
            if (busyNodes.add(item.node)) {
                next.remove();
                running.add(item);
                item.call = start.apply(item);
                if (cancelled) {
                    item.call.cancel(); // cancel() may have looked before this call existed
                }
                item.call.outcome().thenAccept(outcome -> {
                    item.outcome = outcome;
                    ready.add(item);
                });
                started.add(item);
            }
        }
        return started;
    }

    /** The next item whose outcome is known, waiting for it; null once all were taken or the run was cancelled. */
    Item next() throws InterruptedException {
        while (!cancelled && taken < items.size()) {
            Item item = ready.poll(CANCEL_CHECK_MILLIS, TimeUnit.MILLISECONDS);
            if (item != null) {
                taken++;
                return item;
            }
        }
        return null;
    }

    /** The item is written: its node is free for the bundle's next call to it. */
    void done(Item item) {
        running.remove(item);
        busyNodes.remove(item.node);
    }

    /** Tells every ready item's node that its turn is coming, so it is not cut for making no progress. */
    void keepReadyWaiting() {
        for (Item item : ready) {
            Outcome outcome = item.outcome;
            if (outcome != null && outcome.stream() != null) {
                outcome.stream().keepWaiting();
            }
        }
    }

    /** Ends every call of the run and starts no more. */
    void cancel() {
        cancelled = true;
        for (Item item : running) {
            ItemCall call = item.call;
            if (call != null) {
                call.cancel();
            }
        }
    }

    boolean cancelled() {
        return cancelled;
    }
}
