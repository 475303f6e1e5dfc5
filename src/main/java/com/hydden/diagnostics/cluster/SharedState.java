package com.hydden.diagnostics.cluster;

import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * State that every instance of the application sees alike: on Payara's data grid when the instances share one,
 * in this JVM's memory otherwise. Values are strings and byte arrays only, so a member without this
 * application's classes (the DAS, an older WAR) can hold them.
 *
 * <p>Everything that needs atomicity goes through {@link #update}: a read-modify-write of one key, retried until no
 * other instance changed the key in between. Its function must be pure (it may run more than once).
 */
public interface SharedState {

    /** This instance's name among the instances sharing the state; new on every start. */
    String member();

    /** Milliseconds since the epoch on a clock all instances agree on. */
    long now();

    /** Whether other instances can share this state (a data grid), or it lives in this JVM only. */
    boolean distributed();

    /**
     * Atomically replaces the value of {@code key} in {@code table} by {@code change} applied to it (null when
     * absent; a null result removes the key).
     *
     * @return the value now stored, null when none
     */
    String update(String table, String key, UnaryOperator<String> change);

    /** The value of {@code key} in {@code table}, null when absent. */
    String get(String table, String key);

    /**
     * Calls {@code listener} with the key and its new value (null when removed) after any instance changed a key of
     * {@code table}. Calls come on the state's own threads, in order per key; keep them short.
     */
    void listen(String table, BiConsumer<String, String> listener);

    /** Stores bytes that vanish by themselves after {@code ttl}. */
    void putBytes(String key, byte[] bytes, Duration ttl);

    /** The bytes stored under {@code key}, null when absent or expired. */
    byte[] bytes(String key);
}
