package com.hydden.diagnostics.bundle;

import java.util.concurrent.CompletableFuture;

/** One item being collected: its outcome once known (never exceptional), and how to stop it. */
final class ItemCall {

    private final CompletableFuture<Outcome> outcome;
    private final Runnable cancel;

    ItemCall(CompletableFuture<Outcome> outcome, Runnable cancel) {
        this.outcome = outcome;
        this.cancel = cancel;
    }

    /** An item decided without a node call (unknown node, refused by the limits). */
    static ItemCall decided(Outcome outcome) {
        return new ItemCall(CompletableFuture.completedFuture(outcome), () -> { });
    }

    CompletableFuture<Outcome> outcome() {
        return outcome;
    }

    /** Ends the node call, whatever it is doing; a call already over is left as it is. */
    void cancel() {
        cancel.run();
    }
}
