package com.hydden.diagnostics.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The shared state on Payara's data grid (Hazelcast). Only IMap operations: Payara runs the CP subsystem
 * (locks, semaphores, atomic longs) without CP members, where writes can be lost. Maps are named
 * {@code diagnostics.*}: every application of a Payara domain shares one grid.
 */
final class GridState implements SharedState {

    static final String PREFIX = "diagnostics.";
    private static final Logger LOG = Logger.getLogger(GridState.class.getName());

    private final HazelcastInstance grid;
    private final String member;
    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    /** Per table/key, the value this instance last read or wrote ({@link #ABSENT} for none). */
    private final Map<String, String> lastSeen = new ConcurrentHashMap<>();
    private final Map<String, IMap<String, String>> maps = new ConcurrentHashMap<>();
    private volatile IMap<String, byte[]> bytes;
    private static final String ABSENT = new String("absent"); // compared by identity
    static final int MAX_SEEN = 10_000;

    GridState(HazelcastInstance grid) {
        this.grid = grid;
        this.member = grid.getCluster().getLocalMember().getUuid().toString();
    }

    @Override
    public String member() {
        return member;
    }

    @Override
    public long now() {
        return grid.getCluster().getClusterTime();
    }

    @Override
    public boolean distributed() {
        return true;
    }

    /**
     * Tries the change on the value this instance last saw for the key before asking the grid for it: the compare
     * and set fails harmlessly when that value is out of date. So one instance taking and giving back places on a
     * key makes one grid operation each, not two; only a change that writes nothing is checked against the grid.
     */
    @Override
    public String update(String table, String key, UnaryOperator<String> change) {
        IMap<String, String> map = map(table);
        String seenKey = table + '/' + key;
        String seen = lastSeen.get(seenKey);
        String old = seen == null ? map.get(key) : seen == ABSENT ? null : seen;
        boolean fresh = seen == null;
        while (true) {
            String next = change.apply(old);
            String now; // the value in the grid after this attempt
            boolean done;
            if (Objects.equals(old, next)) {
                now = fresh ? old : map.get(key);
                done = Objects.equals(now, old);
            } else if (old == null) {
                now = map.putIfAbsent(key, next);
                done = now == null;
                now = done ? next : now;
            } else if (next == null) {
                done = map.remove(key, old);
                now = done ? null : map.get(key);
            } else {
                done = map.replace(key, old, next);
                now = done ? next : map.get(key);
            }
            see(seenKey, now);
            if (done) {
                return next;
            }
            old = now;
            fresh = true;
        }
    }

    private void see(String seenKey, String value) {
        if (lastSeen.size() >= MAX_SEEN) {
            lastSeen.clear(); // only a shortcut: forgetting costs one read per key
        }
        lastSeen.put(seenKey, value == null ? ABSENT : value);
    }

    @Override
    public String get(String table, String key) {
        return map(table).get(key);
    }

    @Override
    public void listen(String table, BiConsumer<String, String> listener) {
        IMap<String, String> map = map(table);
        UUID id = map.addEntryListener(new Forward(listener), true);
        registrations.add(new Registration(map, id));
    }

    @Override
    public void putBytes(String key, byte[] value, Duration ttl) {
        bytesMap().set(key, value, ttl.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public byte[] bytes(String key) {
        return bytesMap().get(key);
    }

    private IMap<String, byte[]> bytesMap() {
        IMap<String, byte[]> map = bytes;
        if (map == null) {
            map = outsideApplication(() -> grid.<String, byte[]>getMap(PREFIX + "bytes"));
            bytes = map;
        }
        return map;
    }

    /** Removes this application's listeners; the grid outlives the application. */
    void close() {
        for (Registration r : registrations) {
            try {
                r.map.removeEntryListener(r.id);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "removing a grid listener", e);
            }
        }
        registrations.clear();
    }

    private IMap<String, String> map(String table) {
        return maps.computeIfAbsent(table, t -> outsideApplication(() -> grid.getMap(PREFIX + t)));
    }

    /**
     * Payara ties a map to the application context of the thread that first asks for it, and then enters that
     * context around every operation on the map (a CDI lookup per operation). The maps hold strings and bytes
     * only, which need no application context, so they are asked for on a thread that has none.
     */
    private static <T> T outsideApplication(Supplier<T> get) {
        Object[] got = new Object[1];
        RuntimeException[] failed = new RuntimeException[1];
        Thread plain = new Thread(null, () -> {
            try {
                got[0] = get.get();
            } catch (RuntimeException e) {
                failed[0] = e;
            }
        }, "diagnostics-grid-map", 0, false); // false: inherits no thread-local, so no invocation context
        plain.setContextClassLoader(ClassLoader.getPlatformClassLoader());
        plain.start();
        try {
            plain.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the grid for a map", e);
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        @SuppressWarnings("unchecked")
        T value = (T) got[0];
        return value;
    }

    private record Registration(IMap<String, String> map, UUID id) {
    }

    private static final class Forward implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
            EntryRemovedListener<String, String>, EntryEvictedListener<String, String>, EntryExpiredListener<String, String> {

        private final BiConsumer<String, String> listener;

        Forward(BiConsumer<String, String> listener) {
            this.listener = listener;
        }

        private void forward(EntryEvent<String, String> event, String value) {
            try {
                listener.accept(event.getKey(), value);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "shared state listener failed on " + event.getKey(), e);
            }
        }

        @Override
        public void entryAdded(EntryEvent<String, String> event) {
            forward(event, event.getValue());
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> event) {
            forward(event, event.getValue());
        }

        @Override
        public void entryRemoved(EntryEvent<String, String> event) {
            forward(event, null);
        }

        @Override
        public void entryEvicted(EntryEvent<String, String> event) {
            forward(event, null);
        }

        @Override
        public void entryExpired(EntryEvent<String, String> event) {
            forward(event, null);
        }
    }
}
