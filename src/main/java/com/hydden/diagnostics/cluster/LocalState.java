package com.hydden.diagnostics.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The shared state of an instance that shares it with nobody: no data grid (Payara Micro with
 * {@code --nohazelcast}, another server). Listeners run on {@code events}, one at a time, as the grid's do: never
 * inside the update that caused them.
 */
final class LocalState implements SharedState {

    private static final Logger LOG = Logger.getLogger(LocalState.class.getName());

    private final String member = "local-" + UUID.randomUUID();
    private final Map<String, Map<String, String>> tables = new ConcurrentHashMap<>();
    private final Map<String, List<BiConsumer<String, String>>> listeners = new ConcurrentHashMap<>();
    private final Map<String, Expiring> bytes = new ConcurrentHashMap<>();
    private final ExecutorService events;

    LocalState(ExecutorService events) {
        this.events = events;
    }

    @Override
    public String member() {
        return member;
    }

    @Override
    public long now() {
        return System.currentTimeMillis();
    }

    @Override
    public boolean distributed() {
        return false;
    }

    @Override
    public String update(String table, String key, UnaryOperator<String> change) {
        String[] before = new String[1];
        String after = table(table).compute(key, (k, old) -> {
            before[0] = old;
            return change.apply(old);
        });
        if (!Objects.equals(before[0], after)) {
            List<BiConsumer<String, String>> interested = listeners.get(table);
            if (interested != null) {
                events.execute(() -> interested.forEach(l -> notify(l, key, after)));
            }
        }
        return after;
    }

    @Override
    public String get(String table, String key) {
        return table(table).get(key);
    }

    @Override
    public void listen(String table, BiConsumer<String, String> listener) {
        listeners.computeIfAbsent(table, t -> new CopyOnWriteArrayList<>()).add(listener);
    }

    @Override
    public void putBytes(String key, byte[] value, Duration ttl) {
        long now = System.nanoTime();
        bytes.values().removeIf(e -> e.expiresNanos - now < 0);
        bytes.put(key, new Expiring(value, now + ttl.toNanos()));
    }

    @Override
    public byte[] bytes(String key) {
        Expiring e = bytes.get(key);
        return e == null || e.expiresNanos - System.nanoTime() < 0 ? null : e.value;
    }

    private Map<String, String> table(String name) {
        return tables.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
    }

    private static void notify(BiConsumer<String, String> listener, String key, String value) {
        try {
            listener.accept(key, value);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "shared state listener failed on " + key, e);
        }
    }

    private record Expiring(byte[] value, long expiresNanos) {
    }
}
