package com.hydden.diagnostics.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Work a call's listener puts off until the events delivered with it are all delivered. */
class CallbackThreadsTest {

    @Test
    void aDeferredTask_runsAfterTheEventsDeliveredWithIt() {
        List<String> order = new ArrayList<>();
        CallbackThreads callbacks = new CallbackThreads(Runnable::run);

        callbacks.execute(() -> {
            order.add("first chunk");
            CallbackThreads.afterEvents(() -> order.add("first chunk announced"));
            order.add("end of call");
        });

        assertEquals(List.of("first chunk", "end of call", "first chunk announced"), order);
    }

    @Test
    void outsideACallsEvents_aTaskRunsAtOnce() {
        List<String> order = new ArrayList<>();

        CallbackThreads.afterEvents(() -> order.add("task"));
        order.add("after");

        assertEquals(List.of("task", "after"), order);
    }

    @Test
    void aTaskDeferredByOneBatch_doesNotWaitForTheNext() {
        List<String> order = new ArrayList<>();
        CallbackThreads callbacks = new CallbackThreads(Runnable::run);

        callbacks.execute(() -> CallbackThreads.afterEvents(() -> order.add("first batch's task")));
        callbacks.execute(() -> order.add("second batch"));

        assertEquals(List.of("first batch's task", "second batch"), order);
    }
}
