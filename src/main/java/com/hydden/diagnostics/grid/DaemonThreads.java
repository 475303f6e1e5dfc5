package com.hydden.diagnostics.grid;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads for the application's own pools: daemon threads named {@code prefix-N}, carrying this application's
 * class loader. Jersey and Weld load application classes through it when a request is resumed on one of
 * them. Not a ManagedThreadFactory: Payara's default one hands out the context of the first application
 * that looked it up, which after a redeploy is a stopped one.
 */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    public static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        ClassLoader application = DaemonThreads.class.getClassLoader();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            thread.setContextClassLoader(application);
            return thread;
        };
    }
}
