package com.hydden.diagnostics.grid;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The executor the node channels deliver call events on. gRPC hands it a call's queue of events (messages, the
 * end) to drain; a listener may put off work until that queue is drained ({@link #afterEvents}), so what it
 * starts on a message can see the call's end if that arrived with the message.
 */
final class CallbackThreads implements Executor {

    private static final ThreadLocal<List<Runnable>> DEFERRED = new ThreadLocal<>();

    private final Executor threads;

    CallbackThreads(Executor threads) {
        this.threads = threads;
    }

    @Override
    public void execute(Runnable events) {
        threads.execute(() -> {
            List<Runnable> deferred = new ArrayList<>(1);
            DEFERRED.set(deferred);
            try {
                events.run();
            } finally {
                DEFERRED.remove();
                deferred.forEach(Runnable::run);
            }
        });
    }

    /**
     * Runs {@code task} once the events queued with the current one are delivered; at once when not called from
     * a call's event.
     */
    static void afterEvents(Runnable task) {
        List<Runnable> deferred = DEFERRED.get();
        if (deferred == null) {
            task.run();
        } else {
            deferred.add(task);
        }
    }
}
