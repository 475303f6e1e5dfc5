package com.hydden.diagnostics.demo;

import static com.hydden.diagnostics.demo.PprofChecks.assertWellFormed;
import static com.hydden.diagnostics.demo.PprofChecks.parse;
import static com.hydden.diagnostics.demo.PprofChecks.sampleTypes;
import static com.hydden.diagnostics.demo.PprofChecks.stack;
import static com.hydden.diagnostics.demo.PprofChecks.string;
import static com.hydden.diagnostics.demo.PprofChecks.valueAtLeaf;
import static com.hydden.diagnostics.demo.PprofChecks.valueType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.profile.proto.Profile;
import com.hydden.diagnostics.grid.api.GridGrpc;
import com.hydden.diagnostics.grid.api.ProfileRequest;
import com.hydden.diagnostics.grid.api.Stats;
import com.hydden.diagnostics.grid.api.StatsRequest;
import com.hydden.diagnostics.testing.ProfileReceiver;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.okhttp.OkHttpChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A started DemoNode called over loopback gRPC, as the Diagnostics API calls a grid node. */
class DemoNodeTest {

    private static final String NODE_ID = "demo-test";
    private static final List<String> HEAP_TYPES =
            List.of("alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes");
    private static final List<String> CONTENTION_TYPES = List.of("contentions/count", "delay/nanoseconds");

    private DemoNode node;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws IOException {
        node = new DemoNode(NODE_ID, 0).start();
        channel = OkHttpChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        node.close();
    }

    static Stream<Arguments> goTypes() {
        return Stream.of(
                Arguments.of("cpu", List.of("samples/count", "cpu/nanoseconds"), "cpu/nanoseconds", 10_000_000L, ""),
                Arguments.of("heap", HEAP_TYPES, "space/bytes", 1L, ""),
                Arguments.of("allocs", HEAP_TYPES, "space/bytes", 1L, "alloc_space"),
                Arguments.of("goroutine", List.of("goroutine/count"), "goroutine/count", 1L, ""),
                Arguments.of("threadcreate", List.of("threadcreate/count"), "threadcreate/count", 1L, ""),
                Arguments.of("block", CONTENTION_TYPES, "contentions/count", 1L, ""),
                Arguments.of("mutex", CONTENTION_TYPES, "contentions/count", 1L, ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goTypes")
    void everyProfile_isAWellFormedPprofFileTypedAsGoTypesIt(String type, List<String> sampleTypes,
            String periodType, long period, String defaultSampleType) throws IOException {
        Profile profile = parse(fetch(type, 1));

        assertWellFormed(profile);
        assertEquals(sampleTypes, sampleTypes(profile));
        assertEquals(periodType, valueType(profile, profile.getPeriodType()));
        assertEquals(period, profile.getPeriod());
        assertEquals(defaultSampleType, string(profile, profile.getDefaultSampleType()));
        // An idle JVM may honestly have no cpu or contention samples: the tests below make some and check them.
    }

    @Test
    void cpu_samplesForTheRequestedSecondsAndShowsABusyThread() throws Exception {
        Thread busy = new Thread(DemoNodeTest::burnCpu, "busy-cpu-test");
        busy.start();
        try {
            Profile profile = parse(fetch("cpu", 1));

            assertWellFormed(profile);
            assertTrue(profile.getDurationNanos() >= Duration.ofSeconds(1).toNanos(), "sampled for < 1 s");
            long busySamples = profile.getSampleList().stream()
                    .filter(s -> stack(profile, s).contains(DemoNodeTest.class.getName() + ".burnCpu"))
                    .mapToLong(s -> s.getValue(0))
                    .sum();
            assertTrue(busySamples >= 20, "busy thread in " + busySamples + " of about 100 samples");
        } finally {
            busy.interrupt();
            busy.join();
        }
    }

    @Test
    void goroutine_holdsTheStackOfTheCallingThread() throws IOException {
        Profile profile = parse(fetch("goroutine", 0));

        assertWellFormed(profile);
        String caller = DemoNodeTest.class.getName() + ".fetch";
        assertTrue(profile.getSampleList().stream().anyMatch(s -> stack(profile, s).contains(caller)));
    }

    @Test
    void threadcreate_countsEveryThreadStarted() throws IOException {
        long before = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
        Profile profile = parse(fetch("threadcreate", 0));
        long after = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();

        long started = valueAtLeaf(profile, "java.lang.Thread.start", 0);
        assertTrue(before <= started && started <= after, started + " not in [" + before + ", " + after + "]");
    }

    @Test
    void allocs_chargesAllocatedBytesToTheThread() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        int megabytes = 16;
        Thread allocator = new Thread(() -> {
            byte[][] kept = new byte[megabytes][];
            for (int i = 0; i < megabytes; i++) {
                kept[i] = new byte[1 << 20];
            }
            awaitQuietly(release);
        }, "allocator-test");
        allocator.start();
        try {
            awaitTrue(() -> allocator.getState() == Thread.State.WAITING, "allocator done");
            Profile profile = parse(fetch("allocs", 0));

            long allocated = valueAtLeaf(profile, "[thread allocator-test]", 1);
            assertTrue(allocated >= megabytes << 20, allocated + " bytes");
        } finally {
            release.countDown();
            allocator.join();
        }
    }

    @Test
    void heap_showsBytesInUseOfTheHeapPools() throws IOException {
        Profile profile = parse(fetch("heap", 0));

        long inUse = profile.getSampleList().stream()
                .filter(s -> stack(profile, s).get(0).startsWith("[heap pool "))
                .mapToLong(s -> s.getValue(3))
                .sum();
        assertTrue(inUse > 0, "no heap in use");
    }

    @Test
    void mutexAndBlock_chargeMonitorContentionToTheWaitingThread() throws Exception {
        Object lock = new Object();
        CountDownLatch release = new CountDownLatch(1);
        Thread contender = new Thread(() -> {
            synchronized (lock) {
                lock.notifyAll();  // something to do inside, to keep the block
            }
            awaitQuietly(release);
        }, "contender-test");
        try {
            synchronized (lock) {
                contender.start();
                awaitTrue(() -> contender.getState() == Thread.State.BLOCKED, "contender blocked");
                Thread.sleep(50);
            }
            awaitTrue(() -> contender.getState() == Thread.State.WAITING, "contender past the lock");

            for (String type : List.of("mutex", "block")) {
                Profile profile = parse(fetch(type, 0));
                assertWellFormed(profile);
                assertTrue(valueAtLeaf(profile, "[thread contender-test]", 0) >= 1, type + " contentions");
                long delay = valueAtLeaf(profile, "[thread contender-test]", 1);
                assertTrue(delay >= Duration.ofMillis(40).toNanos(), type + " delay " + delay + " ns");
            }
        } finally {
            release.countDown();
            contender.join();
        }
    }

    @Test
    void otherNodeId_isNotFound() {
        assertStatus(Status.Code.NOT_FOUND, request("goroutine", 0).setClient("other"));
    }

    @Test
    void unknownModule_isNotFound() {
        assertStatus(Status.Code.NOT_FOUND, request("goroutine", 0).setModule("grid.server"));
    }

    @Test
    void unknownProfile_isInvalidArgument() {
        assertStatus(Status.Code.INVALID_ARGUMENT, request("trace", 0));
    }

    @Test
    void secondCpuProfile_isResourceExhausted_andCancellingTheFirstStopsItsSampling() throws Exception {
        ProfileReceiver first = new ProfileReceiver();
        Context.CancellableContext call = Context.current().withCancellation();
        call.run(() -> GridGrpc.newStub(channel).profile(request("cpu", 30).build(), first));
        awaitTrue(node::cpuProfileRunning, "cpu profile started");

        assertStatus(Status.Code.RESOURCE_EXHAUSTED, request("cpu", 1));

        call.cancel(null);
        assertEquals(Status.Code.CANCELLED, first.end().get(20, TimeUnit.SECONDS).getCode());
        awaitTrue(() -> !node.cpuProfileRunning(), "cpu sampling stopped");
        assertTrue(parse(fetch("cpu", 1)).getDurationNanos() > 0, "a new cpu profile after the cancel");
    }

    @Test
    void getStats_describesThisNodeAndItsJvm() {
        Stats stats = GridGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .getStats(StatsRequest.getDefaultInstance());

        assertEquals(NODE_ID, stats.getNID());
        assertEquals("grid.client", stats.getComponent());
        assertEquals("", stats.getError());
        assertTrue(!stats.getVersion().isEmpty());
        assertTrue(stats.getUptime() >= 0 && stats.getUptime() < 60, "uptime " + stats.getUptime());
        File workingDir = new File("").getAbsoluteFile();
        assertEquals(workingDir.getTotalSpace(), stats.getDisk().getTotal());
        assertTrue(stats.getDisk().getFree() > 0 && stats.getDisk().getFree() <= stats.getDisk().getTotal());
        assertEquals(System.getProperty("java.version"), stats.getRuntime().getVersion());
        assertEquals(Runtime.getRuntime().availableProcessors(), stats.getRuntime().getMaxProcs());
        assertEquals(System.getProperty("os.arch"), stats.getRuntime().getArch());
        assertEquals(System.getProperty("os.name"), stats.getRuntime().getOS());
        assertEquals("demo", stats.getRuntime().getEnv());
    }

    /** The profile file: the chunks, each within the protocol's 64 KiB, joined. */
    private byte[] fetch(String type, int seconds) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        GridGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .profile(request(type, seconds).build())
                .forEachRemaining(chunk -> {
                    assertTrue(chunk.getData().size() <= 64 * 1024, "chunk of " + chunk.getData().size() + " bytes");
                    file.writeBytes(chunk.getData().toByteArray());
                });
        return file.toByteArray();
    }

    private void assertStatus(Status.Code expected, ProfileRequest.Builder request) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> GridGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .profile(request.build()).forEachRemaining(chunk -> { }));
        assertEquals(expected, e.getStatus().getCode(), e.getStatus().toString());
    }

    private static ProfileRequest.Builder request(String type, int seconds) {
        return ProfileRequest.newBuilder().setClient(NODE_ID).setModule("grid.client").setProfile(type).setSeconds(seconds);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        // Generous: a loaded machine can take seconds for one thread dump; the cpu profile would run 30 s.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static volatile long burnt;

    private static void burnCpu() {
        while (!Thread.currentThread().isInterrupted()) {
            burnt += Long.numberOfTrailingZeros(System.nanoTime());
        }
    }
}
