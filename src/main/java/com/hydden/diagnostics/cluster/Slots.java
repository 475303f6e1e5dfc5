package com.hydden.diagnostics.cluster;

import com.hydden.diagnostics.grid.DaemonThreads;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Counted places per key (a node, a caller) across every instance sharing the state: at most {@code max} held at
 * once in total. Each instance's holdings carry a lease it renews while it holds them, so the places of an instance
 * that died come back within {@code diagnostics.cluster.lease}.
 *
 * <p>A key's value lists, per instance, how many places it holds and until when:
 * {@code member=count@expiresMillis;...}.
 *
 * <p>Each instance keeps a {@link Ledger} per key: the places it has recorded in the shared state and how many of
 * them its requests use. Only one thread per key and instance changes the shared value at a time, so the requests
 * of one instance never race each other's compare-and-set on the grid. A place given back stays with this instance
 * until the key has had no place given back for {@link #LINGER}, then a background thread hands it to the shared
 * state ({@link #release} returns without waiting for the grid). Until then a request of this instance takes it
 * again without a grid operation, as it was never anyone else's: requests following one another on one instance
 * cost no grid operation each, only when they start and once they stop. Another instance sees the place as held
 * for that long after its last use (or until this application stops). A raise asks for a place for every request
 * of this instance waiting to raise, so a burst costs a few grid operations, not one per request.
 */
@ApplicationScoped
public class Slots {

    static final String TABLE = "slots";
    /** How long a key's places stay with this instance once none is given back any more. */
    static final Duration LINGER = Duration.ofMillis(20);
    public static final String LEASE_KEY = "diagnostics.cluster.lease";
    private static final Logger LOG = Logger.getLogger(Slots.class.getName());

    @Inject
    SharedState state;

    @Inject
    @ConfigProperty(name = LEASE_KEY)
    Duration lease;

    private final Map<String, Ledger> ledgers = new ConcurrentHashMap<>();
    private ScheduledExecutorService background;
    /**
     * Where places given back without a linger are written to the shared state; the background thread, or a test's
     * own. (After a linger, they are written on the background thread.)
     */
    Executor trims;
    /** {@link #LINGER}, or a test's own (zero: given back at once). */
    Duration linger = LINGER;

    /** Places of a lone instance, in memory: for code that runs without the container. */
    public static Slots inMemory(Duration lease) {
        Slots slots = new Slots();
        slots.state = new LocalState(Executors.newSingleThreadExecutor(DaemonThreads.named("slots")));
        slots.lease = lease;
        slots.trims = Runnable::run;
        slots.linger = Duration.ZERO;
        slots.start();
        return slots;
    }

    @PostConstruct
    void start() {
        if (lease.isNegative() || lease.toMillis() < 1000) {
            throw new IllegalArgumentException(LEASE_KEY + ": must be at least one second, is " + lease);
        }
        background = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("slot-leases"));
        if (trims == null) {
            trims = background;
        }
        long every = Math.max(250, lease.toMillis() / 3);
        background.scheduleWithFixedDelay(this::renewAll, every, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        background.shutdownNow();
        // places kept for the linger go back now, not when the lease runs out
        ledgers.values().forEach(ledger -> trim(ledger, false));
    }

    /** Takes a place for {@code key} if fewer than {@code max} are held across the cluster. */
    public boolean tryAcquire(String key, int max) {
        while (true) {
            Ledger ledger = ledgers.computeIfAbsent(key, Ledger::new);
            long arrived;
            synchronized (ledger) {
                if (ledger.retired) {
                    continue; // dropped as idle just now: take the key's new ledger
                }
                if (ledger.inUse < ledger.recorded) {
                    ledger.inUse++;
                    return true;
                }
                ledger.raising++;
                arrived = ledger.raisesBegun;
            }
            return raise(ledger, max, arrived);
        }
    }

    /**
     * Records more places for this instance in the shared state, one for every request waiting to raise. A request
     * that a raise begun after its arrival asked for, where that raise got fewer places than it asked for (the
     * limit), is refused without asking the grid again: a burst beyond the limit costs a few grid operations, not
     * one per request. (A raise that got all it asked for proves nothing: a request arriving later may have taken
     * the place this one was counted for.)
     */
    private boolean raise(Ledger ledger, int max, long arrived) {
        try {
            synchronized (ledger.writing) {
                int recorded;
                int wanted;
                long raise;
                synchronized (ledger) {
                    if (ledger.inUse < ledger.recorded) {
                        ledger.raising--;
                        ledger.inUse++;
                        return true; // given back, or raised by the request before this one, while this one waited
                    }
                    if (ledger.lastShortRaise > arrived) {
                        ledger.raising--;
                        return false; // the limit stopped a raise that asked for this request after it came
                    }
                    raise = ++ledger.raisesBegun;
                    recorded = ledger.recorded;
                    wanted = ledger.inUse + ledger.raising;
                }
                int now = write(ledger.key, held -> Math.max(recorded, Math.min(wanted, max - othersTotal(held))));
                synchronized (ledger) {
                    if (now < wanted) {
                        ledger.lastShortRaise = raise;
                    }
                    ledger.recorded = now;
                    ledger.raising--;
                    if (ledger.inUse < ledger.recorded) {
                        ledger.inUse++;
                        return true;
                    }
                    return false;
                }
            }
        } catch (RuntimeException e) {
            synchronized (ledger) {
                ledger.raising--;
            }
            throw e;
        }
    }

    /** Gives back one place taken with {@link #tryAcquire}. */
    public void release(String key) {
        Ledger ledger = ledgers.get(key);
        if (ledger == null) {
            return;
        }
        synchronized (ledger) {
            if (ledger.inUse == 0) {
                return;
            }
            ledger.inUse--;
            if (ledger.inUse + ledger.raising >= ledger.recorded) {
                return;
            }
            ledger.lastGivenBackNanos = System.nanoTime();
            if (ledger.trimQueued) {
                return;
            }
            ledger.trimQueued = true;
        }
        trimLater(ledger, linger.toNanos());
    }

    private void trimLater(Ledger ledger, long delayNanos) {
        if (delayNanos <= 0) {
            trims.execute(() -> trim(ledger, true));
        } else {
            background.schedule(() -> trim(ledger, true), delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Writes this instance's places for the key down to what its requests use (or are about to); with
     * {@code afterLinger}, only once none has been given back for the linger, and until then looks again when it
     * will have been.
     */
    private void trim(Ledger ledger, boolean afterLinger) {
        try {
            synchronized (ledger.writing) {
                int keep;
                synchronized (ledger) {
                    long idleNanos = System.nanoTime() - ledger.lastGivenBackNanos;
                    if (afterLinger && idleNanos < linger.toNanos()) {
                        trimLater(ledger, linger.toNanos() - idleNanos);
                        return;
                    }
                    ledger.trimQueued = false;
                    keep = ledger.inUse + ledger.raising;
                    if (keep >= ledger.recorded) {
                        return;
                    }
                    // Lowered before the write: until it lands, the shared state shows more than is held, never less.
                    ledger.recorded = keep;
                }
                write(ledger.key, held -> keep);
            }
        } catch (RuntimeException e) {
            // the lease renewal writes the lowered count again
            LOG.log(Level.WARNING, "cannot give back places of " + ledger.key
                    + " now; the next lease renewal, or the lease running out, will", e);
        }
    }

    /** Places held for {@code key} across the cluster now, less those this instance holds unused. */
    public int held(String key) {
        int unused = 0;
        Ledger ledger = ledgers.get(key);
        if (ledger != null) {
            synchronized (ledger) {
                unused = Math.max(0, ledger.recorded - ledger.inUse);
            }
        }
        return total(live(parse(state.get(TABLE, key)), state.now())) - unused;
    }

    /** Requests of this instance waiting to raise its places for {@code key} (for tests). */
    int raising(String key) {
        Ledger ledger = ledgers.get(key);
        if (ledger == null) {
            return 0;
        }
        synchronized (ledger) {
            return ledger.raising;
        }
    }

    /**
     * Sets this instance's count for {@code key} to what {@code count} makes of the other instances' live holdings,
     * with a new lease; returns the count written. Callers hold the key's {@link Ledger#writing}.
     */
    private int write(String key, CountFor count) {
        String member = state.member();
        int[] written = {0};
        state.update(TABLE, key, old -> {
            long now = state.now();
            Map<String, Holding> held = live(parse(old), now);
            written[0] = Math.max(0, count.of(held));
            if (written[0] > 0) {
                held.put(member, new Holding(written[0], now + lease.toMillis()));
            } else {
                held.remove(member);
            }
            return format(held);
        });
        return written[0];
    }

    @FunctionalInterface
    private interface CountFor {
        /** This instance's count, given every instance's live holdings. */
        int of(Map<String, Holding> held);
    }

    private int othersTotal(Map<String, Holding> held) {
        Holding mine = held.get(state.member());
        return total(held) - (mine == null ? 0 : mine.count);
    }

    /** Renews the lease on what this instance holds; drops the ledgers of keys it no longer holds. */
    private void renewAll() {
        for (Ledger ledger : ledgers.values()) {
            try {
                synchronized (ledger.writing) {
                    int recorded;
                    synchronized (ledger) {
                        recorded = ledger.recorded;
                        if (recorded == 0 && ledger.inUse == 0 && ledger.raising == 0 && !ledger.trimQueued) {
                            ledger.retired = true;
                            ledgers.remove(ledger.key, ledger);
                            continue;
                        }
                    }
                    // also restores holdings pruned while this instance could not renew them
                    write(ledger.key, held -> recorded);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot renew the lease on " + ledger.key + "; retrying", e);
            }
        }
    }

    /** This instance's side of one key. */
    private static final class Ledger {
        final String key;
        /** Held while the key's shared value is being written for this instance: one writer at a time. */
        final Object writing = new Object();
        // guarded by this
        int recorded;     // this instance's count in the shared state, as last written
        int inUse;        // places handed to requests; never more than recorded
        int raising;      // requests waiting to raise recorded
        long raisesBegun;    // raises that have asked the shared state for places, counted
        long lastShortRaise; // the last of them that got fewer places than it asked for (0: none)
        long lastGivenBackNanos; // when a request last gave back a place that is now unused
        boolean trimQueued;
        boolean retired;  // removed from the map: a new ledger serves the key

        Ledger(String key) {
            this.key = key;
        }
    }

    record Holding(int count, long expiresMillis) {
    }

    static Map<String, Holding> parse(String value) {
        Map<String, Holding> held = new LinkedHashMap<>();
        if (value == null || value.isEmpty()) {
            return held;
        }
        for (String entry : value.split(";")) {
            int eq = entry.indexOf('=');
            int at = entry.indexOf('@', eq);
            held.put(entry.substring(0, eq), new Holding(Integer.parseInt(entry.substring(eq + 1, at)),
                    Long.parseLong(entry.substring(at + 1))));
        }
        return held;
    }

    static Map<String, Holding> live(Map<String, Holding> held, long now) {
        held.values().removeIf(h -> h.expiresMillis < now || h.count < 1);
        return held;
    }

    static int total(Map<String, Holding> held) {
        return held.values().stream().mapToInt(Holding::count).sum();
    }

    /** Null for no holdings, so an idle key leaves nothing behind in the grid. */
    static String format(Map<String, Holding> held) {
        if (held.isEmpty()) {
            return null;
        }
        StringBuilder s = new StringBuilder();
        held.forEach((member, h) -> s.append(s.isEmpty() ? "" : ";").append(member).append('=').append(h.count)
                .append('@').append(h.expiresMillis));
        return s.toString();
    }
}
