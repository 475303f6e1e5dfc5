package com.hydden.diagnostics.pprof;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads that write answers once a node has produced its first chunk. A waiting request holds none:
 * it is suspended, and resumed on one of these, which then streams the profile to the client. Writing
 * must not happen on gRPC's own threads, which deliver the chunks being written.
 */
@ApplicationScoped
public class ProfileWriters implements Executor {

    private ExecutorService threads;

    @PostConstruct
    void start() {
        AtomicInteger count = new AtomicInteger();
        ClassLoader application = ProfileWriters.class.getClassLoader();
        threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "pprof-writer-" + count.incrementAndGet());
            thread.setDaemon(true);
            // Jersey and Weld load application classes through it when resuming. Not a ManagedThreadFactory:
            // Payara's default one hands out the context of the first application that looked it up,
            // which after a redeploy is a stopped one.
            thread.setContextClassLoader(application);
            return thread;
        });
    }

    @Override
    public void execute(Runnable task) {
        threads.execute(task);
    }

    @PreDestroy
    void stop() {
        threads.shutdownNow();
    }
}
