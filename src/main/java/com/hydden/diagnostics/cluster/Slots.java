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
 */
@ApplicationScoped
public class Slots {

    static final String TABLE = "slots";
    public static final String LEASE_KEY = "diagnostics.cluster.lease";
    private static final Logger LOG = Logger.getLogger(Slots.class.getName());

    @Inject
    SharedState state;

    @Inject
    @ConfigProperty(name = LEASE_KEY)
    Duration lease;

    /** What this instance holds, per key: the keys to renew. */
    private final Map<String, Integer> mine = new ConcurrentHashMap<>();
    private ScheduledExecutorService renewal;

    /** Places of a lone instance, in memory: for code that runs without the container. */
    public static Slots inMemory(Duration lease) {
        Slots slots = new Slots();
        slots.state = new LocalState(Executors.newSingleThreadExecutor(DaemonThreads.named("slots")));
        slots.lease = lease;
        slots.start();
        return slots;
    }

    @PostConstruct
    void start() {
        if (lease.isNegative() || lease.toMillis() < 1000) {
            throw new IllegalArgumentException(LEASE_KEY + ": must be at least one second, is " + lease);
        }
        renewal = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("slot-leases"));
        long every = Math.max(250, lease.toMillis() / 3);
        renewal.scheduleWithFixedDelay(this::renewAll, every, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        renewal.shutdownNow();
    }

    /** Takes a place for {@code key} if fewer than {@code max} are held across the cluster. */
    public boolean tryAcquire(String key, int max) {
        String member = state.member();
        boolean[] taken = {false};
        state.update(TABLE, key, old -> {
            long now = state.now();
            Map<String, Holding> held = live(parse(old), now);
            taken[0] = total(held) < max;
            if (taken[0]) {
                Holding h = held.getOrDefault(member, new Holding(0, 0));
                held.put(member, new Holding(h.count + 1, now + lease.toMillis()));
            }
            return format(held);
        });
        if (taken[0]) {
            mine.merge(key, 1, Integer::sum);
        }
        return taken[0];
    }

    /** Gives back one place taken with {@link #tryAcquire}. */
    public void release(String key) {
        String member = state.member();
        mine.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
        state.update(TABLE, key, old -> {
            Map<String, Holding> held = live(parse(old), state.now());
            Holding h = held.get(member);
            if (h != null) {
                if (h.count > 1) {
                    held.put(member, new Holding(h.count - 1, h.expiresMillis));
                } else {
                    held.remove(member);
                }
            }
            return format(held);
        });
    }

    /** Places held for {@code key} across the cluster now. */
    public int held(String key) {
        return total(live(parse(state.get(TABLE, key)), state.now()));
    }

    private void renewAll() {
        String member = state.member();
        for (String key : mine.keySet()) {
            try {
                state.update(TABLE, key, old -> {
                    long now = state.now();
                    Map<String, Holding> held = live(parse(old), now);
                    Integer count = mine.get(key);
                    Holding h = held.get(member);
                    if (count == null) {
                        held.remove(member);
                    } else if (h != null) {
                        held.put(member, new Holding(h.count, now + lease.toMillis()));
                    } else {
                        // pruned while this instance could not renew: what it still holds counts again
                        held.put(member, new Holding(count, now + lease.toMillis()));
                    }
                    return format(held);
                });
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot renew the lease on " + key + "; retrying", e);
            }
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
