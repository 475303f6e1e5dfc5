package com.hydden.diagnostics.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
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

    /** A Slots bean of its own member name over the one shared state. */
    private static Slots slots(LocalState shared, String member) {
        Slots slots = new Slots();
        slots.state = new SharedState() {
            @Override public String member() { return member; }
            @Override public long now() { return shared.now(); }
            @Override public boolean distributed() { return true; }
            @Override public String update(String t, String k, java.util.function.UnaryOperator<String> c) { return shared.update(t, k, c); }
            @Override public String get(String t, String k) { return shared.get(t, k); }
            @Override public void listen(String t, java.util.function.BiConsumer<String, String> l) { shared.listen(t, l); }
            @Override public void putBytes(String k, byte[] v, Duration ttl) { shared.putBytes(k, v, ttl); }
            @Override public byte[] bytes(String k) { return shared.bytes(k); }
        };
        slots.lease = Duration.ofSeconds(30);
        slots.start();
        return slots;
    }
}
