package com.hydden.diagnostics.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Places counted across instances: two instances share one in-memory state here, as they share the grid. */
class SlotsTest {

    private final LocalState shared = new LocalState(Executors.newSingleThreadExecutor());
    private final Slots a = slots(shared, "member-a");
    private final Slots b = slots(shared, "member-b");

    @AfterEach
    void stop() {
        a.stop();
        b.stop();
    }

    @Test
    void theLimit_holdsOverAllInstances() {
        assertTrue(a.tryAcquire("node/n1", 3));
        assertTrue(b.tryAcquire("node/n1", 3));
        assertTrue(a.tryAcquire("node/n1", 3));
        assertFalse(b.tryAcquire("node/n1", 3));
        assertFalse(a.tryAcquire("node/n1", 3));
        assertTrue(b.tryAcquire("node/n2", 3), "other keys are counted apart");
        assertEquals(3, a.held("node/n1"));
    }

    @Test
    void releasedPlaces_comeBack_andAnIdleKeyLeavesNothing() {
        a.tryAcquire("node/n1", 1);
        assertFalse(b.tryAcquire("node/n1", 1));
        a.release("node/n1");
        assertTrue(b.tryAcquire("node/n1", 1));
        b.release("node/n1");
        assertNull(shared.get(Slots.TABLE, "node/n1"));
    }

    @Test
    void holdingsOfAnInstancePastItsLease_areDropped() {
        long now = 1_000_000;
        Map<String, Slots.Holding> held = Slots.parse("dead=2@" + (now - 1) + ";alive=1@" + (now + 5000));
        Slots.live(held, now);
        assertEquals(Map.of("alive", new Slots.Holding(1, now + 5000)), held);
        assertEquals("alive=1@" + (now + 5000), Slots.format(held));
    }

    @Test
    void theFormat_readsBackWhatItWrites() {
        String value = "m1=3@123;m2=1@456";
        assertEquals(value, Slots.format(Slots.parse(value)));
        assertNull(Slots.format(Slots.parse(null)));
    }

    @Test
    void aPlaceGivenBack_isTakenAgainBeforeItReachesTheState_withoutAWrite() {
        List<Runnable> trims = new ArrayList<>();
        Counting state = new Counting(shared, "member-c");
        Slots c = slots(state, trims::add);
        try {
            assertTrue(c.tryAcquire("node/n1", 1));
            c.release("node/n1");
            assertEquals(1, trims.size(), "the give-back is queued, not written on the releasing thread");

            assertTrue(c.tryAcquire("node/n1", 1));
            trims.forEach(Runnable::run);

            assertEquals(1, state.updates.get(), "one write: the place never left this instance");
            assertEquals(1, c.held("node/n1"));
            assertFalse(b.tryAcquire("node/n1", 1));
        } finally {
            c.stop();
        }
    }

    @Test
    void placesGivenBackWhileTheWriteWaits_goBackInOneWrite() {
        List<Runnable> trims = new ArrayList<>();
        Counting state = new Counting(shared, "member-c");
        Slots c = slots(state, trims::add);
        try {
            for (int i = 0; i < 3; i++) {
                assertTrue(c.tryAcquire("node/n1", 3));
            }
            int raises = state.updates.get();
            for (int i = 0; i < 3; i++) {
                c.release("node/n1");
            }
            assertEquals(0, c.held("node/n1"), "this instance's unused places are not counted as held");
            assertEquals(1, trims.size());
            trims.forEach(Runnable::run);

            assertEquals(raises + 1, state.updates.get());
            assertNull(shared.get(Slots.TABLE, "node/n1"));
            assertTrue(b.tryAcquire("node/n1", 3));
        } finally {
            c.stop();
        }
    }

    @Test
    void requestsWaitingForTheState_raiseTogether() throws Exception {
        CountDownLatch firstWriteMayEnd = new CountDownLatch(1);
        Counting state = stalledFirstWrite(firstWriteMayEnd);
        Slots c = slots(state, Runnable::run);
        try {
            assertEquals(Collections.nCopies(16, true), sixteenAtOnce(c, 20, firstWriteMayEnd));

            assertEquals(16, c.held("node/n1"));
            assertAtMostTwoWrites(state);
        } finally {
            c.stop();
        }
    }

    @Test
    void aBurstBeyondTheLimit_isRefusedWithoutAGridOperationPerRequest() throws Exception {
        CountDownLatch firstWriteMayEnd = new CountDownLatch(1);
        Counting state = stalledFirstWrite(firstWriteMayEnd);
        Slots c = slots(state, Runnable::run);
        try {
            List<Boolean> admitted = sixteenAtOnce(c, 4, firstWriteMayEnd);

            assertEquals(4, admitted.stream().filter(Boolean::booleanValue).count());
            assertEquals(4, c.held("node/n1"));
            assertAtMostTwoWrites(state);
            assertFalse(b.tryAcquire("node/n1", 4));
        } finally {
            c.stop();
        }
    }

    @Test
    void requestsComingAndGoingBelowTheLimit_areNeverRefused() throws Exception {
        Slots c = slots(new Counting(shared, "member-c"), null);
        ExecutorService requests = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> refusals = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                refusals.add(requests.submit(() -> {
                    int refused = 0;
                    for (int i = 0; i < 20_000; i++) {
                        if (c.tryAcquire("node/n1", 1000)) {
                            c.release("node/n1");
                        } else {
                            refused++;
                        }
                    }
                    return refused;
                }));
            }
            int refused = 0;
            for (Future<Integer> r : refusals) {
                refused += r.get(60, TimeUnit.SECONDS);
            }
            assertEquals(0, refused, "at most 16 of 1,000 places were ever in use");
        } finally {
            requests.shutdownNow();
            c.stop();
        }
    }

    /** The first request's write, then one for all those that waited meanwhile. */
    private static void assertAtMostTwoWrites(Counting state) {
        assertTrue(state.updates.get() <= 2, "expected at most 2 writes, were " + state.updates.get());
    }

    /** A state whose first write waits until {@code firstWriteMayEnd} opens. */
    private Counting stalledFirstWrite(CountDownLatch firstWriteMayEnd) {
        return new Counting(shared, "member-c") {
            @Override
            public String update(String table, String key, UnaryOperator<String> change) {
                if (updates.get() == 0) {
                    await(firstWriteMayEnd);
                }
                return super.update(table, key, change);
            }
        };
    }

    /**
     * Sixteen requests for a place at {@code node/n1} at once, all waiting for the state before its first write
     * may end; whether each got one.
     */
    private static List<Boolean> sixteenAtOnce(Slots slots, int max, CountDownLatch firstWriteMayEnd) throws Exception {
        ExecutorService requests = Executors.newFixedThreadPool(16);
        try {
            List<Future<Boolean>> taken = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                taken.add(requests.submit(() -> slots.tryAcquire("node/n1", max)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (slots.raising("node/n1") < 16) {
                assertTrue(System.nanoTime() < deadline, "16 requests did not all wait to raise within 10 s");
                Thread.onSpinWait();
            }
            firstWriteMayEnd.countDown();
            List<Boolean> outcomes = new ArrayList<>();
            for (Future<Boolean> t : taken) {
                outcomes.add(t.get(10, TimeUnit.SECONDS));
            }
            return outcomes;
        } finally {
            requests.shutdownNow();
        }
    }

    @Test
    void requestsFollowingOneAnother_reuseTheirPlaceWithoutAGridOperation_whileItLingers() {
        Counting state = new Counting(shared, "member-c");
        Slots c = slots(state, null, Duration.ofMinutes(1));
        try {
            for (int i = 0; i < 5; i++) {
                assertTrue(c.tryAcquire("node/n1", 1));
                c.release("node/n1");
            }
            assertEquals(1, state.updates.get(), "one write for five requests in a row");
            assertEquals(0, c.held("node/n1"), "a lingering place is not counted as held by this instance");
            assertFalse(b.tryAcquire("node/n1", 1), "to the other instances, a lingering place is still held");
        } finally {
            c.stop();
        }
    }

    @Test
    void stopping_givesLingeringPlacesBackAtOnce() {
        Slots c = slots(new Counting(shared, "member-c"), null, Duration.ofMinutes(1));
        assertTrue(c.tryAcquire("node/n1", 1));
        c.release("node/n1");
        assertFalse(b.tryAcquire("node/n1", 1));

        c.stop();

        assertNull(shared.get(Slots.TABLE, "node/n1"));
        assertTrue(b.tryAcquire("node/n1", 1));
    }

    @Test
    void aLingeringPlace_goesBackOnceItsKeyIsIdle() {
        Counting state = new Counting(shared, "member-c");
        Slots c = slots(state, null, Duration.ofMillis(50));
        try {
            assertTrue(c.tryAcquire("node/n1", 1));
            c.release("node/n1");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (shared.get(Slots.TABLE, "node/n1") != null) {
                assertTrue(System.nanoTime() < deadline, "the place was not given back within 10 s");
                Thread.onSpinWait();
            }
            assertEquals(2, state.updates.get(), "taken, then given back: two writes");
            assertTrue(b.tryAcquire("node/n1", 1));
        } finally {
            c.stop();
        }
    }

    @Test
    void raisingStopsAtTheLimit_evenForWaitingRequests() {
        assertTrue(b.tryAcquire("node/n1", 2));
        assertTrue(a.tryAcquire("node/n1", 2));
        assertFalse(a.tryAcquire("node/n1", 2));
        a.release("node/n1");
        assertTrue(b.tryAcquire("node/n1", 2), "a place given back is another instance's to take");
        assertEquals(2, a.held("node/n1"));
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(10, TimeUnit.SECONDS), "the test did not let the write end within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A Slots bean writing its give-backs at once, of its own member name over the one shared state. */
    private static Slots slots(LocalState shared, String member) {
        return slots(new Counting(shared, member), Runnable::run);
    }

    private static Slots slots(SharedState state, Executor trims) {
        return slots(state, trims, Duration.ZERO);
    }

    private static Slots slots(SharedState state, Executor trims, Duration linger) {
        Slots slots = new Slots();
        slots.state = state;
        slots.trims = trims;
        slots.linger = linger;
        slots.lease = Duration.ofSeconds(30);
        slots.start();
        return slots;
    }

    /** One instance's view of the shared state, counting its writes. */
    private static class Counting implements SharedState {
        final AtomicInteger updates = new AtomicInteger();
        private final LocalState shared;
        private final String member;

        Counting(LocalState shared, String member) {
            this.shared = shared;
            this.member = member;
        }

        @Override public String member() { return member; }
        @Override public long now() { return shared.now(); }
        @Override public boolean distributed() { return true; }
        @Override public String update(String t, String k, UnaryOperator<String> c) { updates.incrementAndGet(); return shared.update(t, k, c); }
        @Override public String get(String t, String k) { return shared.get(t, k); }
        @Override public void listen(String t, java.util.function.BiConsumer<String, String> l) { shared.listen(t, l); }
        @Override public void putBytes(String k, byte[] v, Duration ttl) { shared.putBytes(k, v, ttl); }
        @Override public byte[] bytes(String k) { return shared.bytes(k); }
    }
}
