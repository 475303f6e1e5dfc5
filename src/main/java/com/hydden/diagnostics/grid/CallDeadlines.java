package com.hydden.diagnostics.grid;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The time limits of every profile call in flight, checked by one sweep every {@link #SWEEP_MILLIS}: a timer per
 * call cost each request two hand-offs to the timer thread (scheduled at the start, again at the first chunk) for
 * limits of seconds, which a tenth of a second more or less does not change.
 */
final class CallDeadlines {

    static final long SWEEP_MILLIS = 100;
    private static final Logger LOG = Logger.getLogger(CallDeadlines.class.getName());

    private final Set<ProfileDownload> calls = ConcurrentHashMap.newKeySet();

    /** Sweeps on {@code timers} until they are shut down. */
    CallDeadlines(ScheduledExecutorService timers) {
        timers.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Checks {@code call}'s limits until it closes. */
    void watch(ProfileDownload call) {
        calls.add(call);
        call.closed().whenComplete((status, never) -> calls.remove(call));
    }

    private void sweep() {
        long now = System.nanoTime();
        for (ProfileDownload call : calls) {
            try {
                call.checkTime(now);
            } catch (RuntimeException e) {
                // one call's trouble must not stop the sweep for all the others
                LOG.log(Level.WARNING, "checking a call's time limits", e);
            }
        }
    }
}
