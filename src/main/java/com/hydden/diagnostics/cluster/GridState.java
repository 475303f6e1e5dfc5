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
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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

    @Override
    public String update(String table, String key, UnaryOperator<String> change) {
        IMap<String, String> map = map(table);
        while (true) {
            String old = map.get(key);
            String next = change.apply(old);
            if (old == null) {
                if (next == null || map.putIfAbsent(key, next) == null) {
                    return next;
                }
            } else if (next == null) {
                if (map.remove(key, old)) {
                    return null;
                }
            } else if (old.equals(next) || map.replace(key, old, next)) {
                return next;
            }
        }
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
        grid.<String, byte[]>getMap(PREFIX + "bytes").set(key, value, ttl.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public byte[] bytes(String key) {
        return grid.<String, byte[]>getMap(PREFIX + "bytes").get(key);
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
        return grid.getMap(PREFIX + table);
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
