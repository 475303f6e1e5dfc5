package com.hydden.diagnostics.pprof;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
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

    @Resource
    ManagedThreadFactory threadFactory;

    private ExecutorService threads;

    @PostConstruct
    void start() {
        AtomicInteger count = new AtomicInteger();
        threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = threadFactory.newThread(runnable);
            thread.setName("pprof-writer-" + count.incrementAndGet());
            return thread;
        });
    }

    void startWithTheApplication(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // Created on the deployment thread. Created lazily on a gRPC thread instead, the @Resource lookup can
        // resolve through the class loader of an application deployed there before, and fails.
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
