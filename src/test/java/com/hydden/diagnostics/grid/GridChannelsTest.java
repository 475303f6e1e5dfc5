package com.hydden.diagnostics.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pool's bookkeeping; channels are built but never connect (nothing listens on port 1). */
class GridChannelsTest {

    private GridChannels pool;

    private GridChannels pool(int maxChannels, Duration idleTimeout) {
        pool = started(maxChannels, idleTimeout);
        return pool;
    }

    /** A started pool outside the container, plaintext; {@link GridChannels#stop()} it when done. */
    static GridChannels started(int maxChannels, Duration idleTimeout) {
        GridChannels pool = new GridChannels();
        pool.idleTimeout = idleTimeout;
        pool.connectTimeout = Duration.ofSeconds(1);
        pool.maxChannels = maxChannels;
        pool.tlsConfig = "false";
        pool.tlsTrust = Optional.empty();
        pool.tlsCert = Optional.empty();
        pool.tlsKey = Optional.empty();
        pool.start();
        return pool;
    }

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.stop();
        }
    }

    /** As many calls to {@code node} as one channel carries. */
    private static List<GridChannels.Lease> fillOneChannel(GridChannels pool, NodeAddress node) {
        List<GridChannels.Lease> leases = new ArrayList<>();
        for (int i = 0; i < GridChannels.CALLS_PER_CHANNEL; i++) {
            leases.add(pool.lease(node));
        }
        return leases;
    }

    /** Waits, at most 10 s, for the pool's idle sweep to close the lease's channel. */
    private static void awaitShutdown(GridChannels.Lease lease, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!lease.channel().isShutdown() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50); // polling the pool's sweep, bounded by the deadline
        }
        assertTrue(lease.channel().isShutdown(), what + " was still open after 10 s");
    }

    private static NodeAddress node(int i) {
        return new NodeAddress("127.0.0." + i, 1);
    }

    @Test
    void oneChannelPerAddress_sharedByAllItsRequests() {
        GridChannels pool = pool(10, Duration.ofMinutes(10));
        GridChannels.Lease first = pool.lease(node(1));
        GridChannels.Lease second = pool.lease(node(1));
        GridChannels.Lease other = pool.lease(node(2));
        assertSame(first.channel(), second.channel());
        assertNotSame(first.channel(), other.channel());
        assertEquals(2, pool.openChannels());
    }

    @Test
    void aNodeWithMoreCallsThanOneChannelCarries_getsAnotherChannel_andFillsTheFirstAgainWhenItHasRoom() {
        GridChannels pool = pool(10, Duration.ofMinutes(10));
        List<GridChannels.Lease> first = fillOneChannel(pool, node(1));
        assertEquals(1, first.stream().map(GridChannels.Lease::channel).distinct().count());

        GridChannels.Lease beyond = pool.lease(node(1));
        assertNotSame(first.get(0).channel(), beyond.channel());
        assertEquals(2, pool.openChannels());

        first.get(7).release();
        assertSame(first.get(0).channel(), pool.lease(node(1)).channel(), "the first channel had room again");
        assertSame(beyond.channel(), pool.lease(node(1)).channel(), "the second channel took the next call");
        assertEquals(2, pool.openChannels());
    }

    @Test
    void aNodesSecondChannel_closesWhenIdle_whileTheFirstIsInUse() throws InterruptedException {
        GridChannels pool = pool(10, Duration.ofMillis(200));
        List<GridChannels.Lease> first = fillOneChannel(pool, node(1));
        GridChannels.Lease beyond = pool.lease(node(1));
        beyond.release();

        awaitShutdown(beyond, "the idle second channel");
        assertFalse(first.get(0).channel().isShutdown(), "the channel in use was closed");
        assertEquals(1, pool.openChannels());
    }

    @Test
    void overTheLimit_theLeastRecentlyUsedIdleChannelIsClosed_neverOneInUse() {
        GridChannels pool = pool(2, Duration.ofMinutes(10));
        GridChannels.Lease busy = pool.lease(node(1));
        GridChannels.Lease a = pool.lease(node(2));
        a.release();
        GridChannels.Lease b = pool.lease(node(3)); // three channels, limit two: node 2 is the idle one

        assertTrue(a.channel().isShutdown(), "the idle channel was not closed");
        assertFalse(busy.channel().isShutdown(), "a channel in use was closed");
        assertFalse(b.channel().isShutdown());
        assertEquals(2, pool.openChannels());
    }

    @Test
    void unusedChannels_closeAfterTheIdleTimeout_usedOnesStay() throws InterruptedException {
        GridChannels pool = pool(10, Duration.ofMillis(200));
        GridChannels.Lease idle = pool.lease(node(1));
        idle.release();
        GridChannels.Lease busy = pool.lease(node(2));

        awaitShutdown(idle, "the idle channel");
        assertFalse(busy.channel().isShutdown(), "a channel in use was closed as idle");
        assertEquals(1, pool.openChannels());
    }

    @Test
    void aChannelThatCarriedItsCalls_takesNoMore_andIsShutDownWhenItsLastCallEnds() {
        GridChannels pool = pool(10, Duration.ofMinutes(10));
        pool.callsPerConnection = 3;
        GridChannels.Lease first = pool.lease(node(1));
        GridChannels.Lease second = pool.lease(node(1));
        GridChannels.Lease third = pool.lease(node(1));
        first.release();
        second.release();

        GridChannels.Lease fourth = pool.lease(node(1));

        assertSame(first.channel(), third.channel());
        assertNotSame(third.channel(), fourth.channel(), "a spent channel took another call");
        assertFalse(third.channel().isShutdown(), "a spent channel was shut down under its last call");
        assertEquals(2, pool.openChannels());
        third.release();
        assertTrue(third.channel().isShutdown(), "a spent channel stayed open after its last call");
        assertEquals(1, pool.openChannels());
        assertSame(fourth.channel(), pool.lease(node(1)).channel());
    }

    @Test
    void aChannelPastItsAge_isShutDownWhenReleased_andReplaced() {
        GridChannels pool = pool(10, Duration.ofMinutes(10));
        pool.maxAgeNanos = 0;
        GridChannels.Lease first = pool.lease(node(1));
        first.release();

        assertTrue(first.channel().isShutdown(), "a channel past its age stayed open");
        assertNotSame(first.channel(), pool.lease(node(1)).channel());
        assertEquals(1, pool.openChannels());
    }

    @Test
    void releasingTwice_countsOnce() {
        GridChannels pool = pool(1, Duration.ofMinutes(10));
        GridChannels.Lease a = pool.lease(node(1));
        GridChannels.Lease b = pool.lease(node(1));
        a.release();
        a.release();
        pool.lease(node(2)); // node 1 still has b in use, so it must survive the limit
        assertFalse(b.channel().isShutdown());
    }

    @Test
    void stop_shutsEveryChannelDown() {
        GridChannels pool = pool(10, Duration.ofMinutes(10));
        GridChannels.Lease a = pool.lease(node(1));
        pool.stop();
        assertTrue(a.channel().isShutdown());
        assertEquals(0, pool.openChannels());
        this.pool = null;
    }

    @Test
    void nonPositiveDurations_failNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool(1, Duration.ZERO));
        assertTrue(e.getMessage().startsWith("diagnostics.grid.idle-timeout"), e.getMessage());
        pool = null;
    }
}
