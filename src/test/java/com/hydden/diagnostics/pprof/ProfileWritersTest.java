package com.hydden.diagnostics.pprof;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProfileWritersTest {

    private final ProfileWriters writers = new ProfileWriters();

    @BeforeEach
    void start() {
        writers.start();
    }

    @AfterEach
    void stop() {
        writers.stop();
    }

    @Test
    void aBurstOfShortAnswers_runsOnTheBaseThreads() throws InterruptedException {
        int answers = 5000;
        CountDownLatch done = new CountDownLatch(answers);
        for (int i = 0; i < answers; i++) {
            writers.execute(() -> {
                busyFor(20_000);
                done.countDown();
            });
        }
        assertTrue(done.await(60, TimeUnit.SECONDS), done.getCount() + " answers not written within 60 s");
        // The watch may grow the pool once if the machine stalls; thousands of threads it must not start.
        assertTrue(writers.largestSize() <= 2 * ProfileWriters.BASE,
                "a burst of short answers started " + writers.largestSize() + " threads");
    }

    @Test
    void answersQueuedBehindSlowClients_getThreadsOfTheirOwn() throws InterruptedException {
        CountDownLatch slowClients = new CountDownLatch(1);
        int slow = 4 * ProfileWriters.GROWTH; // several growth steps
        for (int i = 0; i < slow; i++) {
            writers.execute(() -> {
                try {
                    slowClients.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        CountDownLatch answered = new CountDownLatch(1);
        writers.execute(answered::countDown);
        try {
            assertTrue(answered.await(10, TimeUnit.SECONDS),
                    "an answer waited more than 10 s behind " + slow + " writers blocked on slow clients");
        } finally {
            slowClients.countDown();
        }
    }

    private static void busyFor(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
