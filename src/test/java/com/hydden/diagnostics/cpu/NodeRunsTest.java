package com.hydden.diagnostics.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The join, wait and leave rules of shared cpu runs, on a fake clock. */
class NodeRunsTest {

    private static final long SHARE = 2_000;
    private static final long LEASE = 30_000;
    private final AtomicInteger ids = new AtomicInteger();
    private NodeRuns runs = new NodeRuns();
    private long now = 1_000_000;

    private NodeRuns.Decision join(String member, int seconds, boolean wait) {
        // every step goes through the stored form, as it does between instances
        NodeRuns.Decision d = runs.join(member, "grid.client", seconds, wait, now, SHARE, 2, LEASE,
                () -> "run-" + ids.incrementAndGet());
        runs = NodeRuns.parse(runs.format());
        return d;
    }

    private void step(java.util.function.Consumer<NodeRuns> change) {
        change.accept(runs);
        runs = NodeRuns.parse(runs.format());
    }

    @Test
    void callersWithinTheShareWindow_joinOneRun() {
        NodeRuns.Decision first = join("a", 10, false);
        now += 1_500;
        NodeRuns.Decision second = join("b", 10, false);
        NodeRuns.Decision third = join("a", 10, false);

        assertEquals(NodeRuns.Kind.STARTED, first.kind());
        assertEquals(NodeRuns.Kind.JOINED, second.kind());
        assertEquals(NodeRuns.Kind.JOINED, third.kind());
        assertEquals(first.runId(), second.runId());
        step(r -> r.streaming(first.runId(), "w"));
        assertEquals(3, runs.run(first.runId()).orElseThrow().sharedBy);
    }

    @Test
    void aLateCaller_isBusy_withTheWholeSecondsLeft() {
        NodeRuns.Decision first = join("a", 10, false);
        step(r -> r.began(first.runId(), now));
        now += 2_001;
        NodeRuns.Decision late = join("b", 10, false);
        assertEquals(NodeRuns.Kind.BUSY, late.kind());
        assertEquals(8, late.retryAfterSeconds(), "7.999 s left is 8 whole seconds");
        now += 7_999;
        assertEquals(1, join("b", 10, false).retryAfterSeconds(), "never less than 1");
    }

    @Test
    void otherSeconds_cannotJoin() {
        join("a", 10, false);
        NodeRuns.Decision other = join("b", 5, false);
        assertEquals(NodeRuns.Kind.BUSY, other.kind());
        assertEquals(10, other.retryAfterSeconds());
    }

    @Test
    void aStreamingRun_takesNoMoreCallers() {
        NodeRuns.Decision first = join("a", 1, false);
        step(r -> r.streaming(first.runId(), "w"));
        assertEquals(NodeRuns.Kind.BUSY, join("b", 1, false).kind());
    }

    @Test
    void waitersWithOneKey_shareTheNextRun_promotedWhenTheCurrentFinishes() {
        NodeRuns.Decision first = join("a", 10, false);
        now += 3_000;
        NodeRuns.Decision w1 = join("b", 10, true);
        NodeRuns.Decision w2 = join("a", 10, true);
        assertEquals(NodeRuns.Kind.WAITING, w1.kind());
        assertEquals(w1.runId(), w2.runId());

        now += 7_000;
        step(r -> r.finished(first.runId(), now));

        NodeRuns.Run next = runs.run(w1.runId()).orElseThrow();
        assertEquals(NodeRuns.STARTING, next.state);
        assertEquals("b", next.owner, "the first waiter's instance runs it");
        assertEquals(now, next.startMillis);
        assertEquals(NodeRuns.Kind.JOINED, join("c", 10, false).kind(), "the next run is joinable as any new one");
    }

    @Test
    void waitingIsBounded_perNode() {
        join("a", 10, false);
        now += 3_000;
        join("b", 10, true);
        join("b", 5, true);
        NodeRuns.Decision third = join("c", 10, true);
        assertEquals(NodeRuns.Kind.BUSY, third.kind(), "max-waiting is 2 here");
    }

    @Test
    void theLastCallerLeaving_leavesARunWithoutCallers_andWaitersLeavingDropTheirRun() {
        NodeRuns.Decision first = join("a", 10, false);
        step(r -> r.began(first.runId(), now));
        NodeRuns.Decision joined = join("b", 10, false);
        step(r -> r.leave("a", first.runId(), now));
        assertEquals(1, runs.run(first.runId()).orElseThrow().callerCount());
        step(r -> r.leave("b", joined.runId(), now));
        assertEquals(0, runs.run(first.runId()).orElseThrow().callerCount(), "the owner sees it and cancels");

        now += 3_000;
        NodeRuns.Decision waiter = join("c", 10, true);
        step(r -> r.leave("c", waiter.runId(), now));
        assertTrue(runs.run(waiter.runId()).isEmpty());
    }

    @Test
    void aPromotedRunWhoseOwnerLeft_passesToAnInstanceWithCallers() {
        NodeRuns.Decision first = join("a", 10, false);
        now += 3_000;
        NodeRuns.Decision w = join("b", 10, true);
        join("c", 10, true);
        step(r -> r.finished(first.runId(), now));
        assertEquals("b", runs.run(w.runId()).orElseThrow().owner);
        step(r -> r.leave("b", w.runId(), now));
        assertEquals("c", runs.run(w.runId()).orElseThrow().owner);
    }

    @Test
    void anInstancePastItsLease_losesItsCallersAndRuns_andTheNextRunIsPromoted() {
        NodeRuns.Decision first = join("a", 10, false);
        step(r -> r.began(first.runId(), now));
        now += 3_000;
        NodeRuns.Decision w = join("b", 10, true);
        now += LEASE - 1_000;
        step(r -> r.renew("b", now + LEASE));
        now += 2_000; // a's lease (taken at the start) ran out; b renewed
        step(r -> r.prune(now));
        assertTrue(runs.run(first.runId()).isEmpty(), "a dead owner's run is gone");
        assertEquals(NodeRuns.STARTING, runs.run(w.runId()).orElseThrow().state);
    }

    @Test
    void anIdleNode_leavesNothingBehind() {
        NodeRuns.Decision first = join("a", 10, false);
        step(r -> r.leave("a", first.runId(), now));
        assertNull(runs.format(), "a starting run nobody wants is dropped with its lease");
    }
}
