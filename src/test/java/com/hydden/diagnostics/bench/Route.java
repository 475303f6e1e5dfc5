package com.hydden.diagnostics.bench;

import java.util.concurrent.CompletableFuture;

/** One way of getting a profile from a node: through the gateway, or straight from the node. */
interface Route extends AutoCloseable {

    /** "gateway" or "direct", as the results name it. */
    String name();

    /**
     * Asks node {@code client} for its heap profile and reads the whole answer as fast as it comes.
     * Completes with the number of bytes received; fails when the answer is not a complete profile.
     */
    CompletableFuture<Long> fetch(String client);

    @Override
    void close();
}
