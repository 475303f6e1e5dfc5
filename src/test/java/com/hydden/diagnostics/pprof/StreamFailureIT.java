package com.hydden.diagnostics.pprof;

import static com.hydden.diagnostics.testing.Api.body;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.hydden.diagnostics.grid.api.ProfileChunk;
import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.Scripts;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What happens after the 200 went out: failures stay visible, departures stop the node, slowness is tolerated. */
@ExtendWith(ArquillianExtension.class)
class StreamFailureIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war();
    }

    @ArquillianResource
    URL base;

    @Test
    void nodeFailsMidStream_transferIsVisiblyIncomplete() throws Exception {
        byte[] profile = PprofIT.random(1_000_000, 7);
        String node = Deployments.node(Scripts.failAfter(profile, 300_000, Status.INTERNAL));

        HttpResponse<InputStream> response = new Api(base).stream(body(node, "heap"));

        assertEquals(200, response.statusCode());
        try (InputStream in = response.body()) {
            assertThrows(IOException.class, in::readAllBytes, "a truncated profile ended like a complete one");
        }
    }

    @Test
    void nodeStallsMidStream_transferIsAbortedAfterTheTimeout() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        String node = Deployments.node((request, out) -> {
            out.setOnCancelHandler(cancelled::countDown);
            out.onNext(ProfileChunk.newBuilder().setData(ByteString.copyFrom(new byte[1000])).build());
        });

        HttpResponse<InputStream> response = new Api(base).stream(body(node, "heap"));

        assertEquals(200, response.statusCode());
        try (InputStream in = response.body()) {
            assertThrows(IOException.class, in::readAllBytes);
        }
        assertTrue(cancelled.await(5, TimeUnit.SECONDS), "the stalled call was not cancelled");
    }

    @Test
    void clientDisconnectsMidStream_nodeCallIsCancelled() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        AtomicInteger sent = new AtomicInteger();
        String node = Deployments.node((request, out) -> {
            out.setOnCancelHandler(cancelled::countDown);
            Runnable endless = () -> {
                while (out.isReady() && !out.isCancelled()) {
                    out.onNext(ProfileChunk.newBuilder().setData(ByteString.copyFrom(new byte[Scripts.CHUNK])).build());
                    sent.incrementAndGet();
                }
            };
            out.setOnReadyHandler(endless);
            endless.run();
        });

        HttpResponse<InputStream> response = new Api(base).stream(body(node, "heap"));
        assertEquals(200, response.statusCode());
        try (InputStream in = response.body()) {
            assertEquals(100_000, in.readNBytes(100_000).length);
        }
        long left = System.nanoTime();

        assertTrue(cancelled.await(1, TimeUnit.SECONDS), "the node kept streaming to a client that left");
        System.out.println("node cancelled " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - left)
                + " ms after its client left mid-stream");
        int atCancel = sent.get();
        assertTrue(atCancel < 2000, "flow control should have held the node back, it sent " + atCancel + " chunks");
    }

    @Test
    void slowButMovingDownload_isNeverCut() throws Exception {
        // 3 MiB read at about 512 KiB/s takes ~6 s, three times the test deployment's 2 s timeout
        byte[] profile = PprofIT.random(3 << 20, 8);
        String node = Deployments.node(Scripts.answer(profile));

        HttpResponse<InputStream> response = new Api(base).stream(body(node, "heap"));

        assertEquals(200, response.statusCode());
        java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[16 * 1024];
            long start = System.nanoTime();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received.write(buffer, 0, n);
                long dueNanos = received.size() * 1_000_000_000L / (512 * 1024);
                long aheadMillis = (dueNanos - (System.nanoTime() - start)) / 1_000_000;
                if (aheadMillis > 0) {
                    Thread.sleep(aheadMillis); // pacing the reader, not synchronizing
                }
            }
        }
        assertArrayEquals(profile, received.toByteArray());
    }
}
