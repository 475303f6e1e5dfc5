package com.hydden.diagnostics.grid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hydden.diagnostics.grid.api.GridGrpc;
import com.hydden.diagnostics.grid.api.ProfileChunk;
import com.hydden.diagnostics.grid.api.ProfileRequest;
import com.hydden.diagnostics.testing.ProfileReceiver;
import com.hydden.diagnostics.testing.Scripts;
import com.hydden.diagnostics.testing.TestNode;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Node connections under many calls, against a real node on loopback. grpc-okhttp's client closes a connection
 * once it has sent 10,000 control frames there, a cancelled call sending one (RST_STREAM); the pool retires a
 * channel long before, so the call in flight on it is never cut.
 */
class NodeConnectionsTest {

    private static final int CANCELLED_CALLS = 10_500;

    @Test
    void aCallInFlight_outlivesTenThousandCancelledCallsToItsNode() throws Exception {
        GridChannels pool = GridChannelsTest.started(10, Duration.ofMinutes(10));
        try (TestNode node = new TestNode()) {
            NodeAddress address = new NodeAddress("127.0.0.1", node.port());
            byte[] body = new byte[1000];
            Semaphore answer = new Semaphore(0);
            node.script("long", Scripts.sampleUntilReleased(body, answer, () -> { }));
            node.script("cancelled", Scripts.hang(() -> { }));

            GridChannels.Lease lease = pool.lease(address);
            ProfileReceiver inFlight = new ProfileReceiver();
            GridGrpc.newStub(lease.channel()).profile(request("long"), inFlight);
            node.nextRequest("long");

            for (int i = 0; i < CANCELLED_CALLS; i++) {
                GridChannels.Lease cancelled = pool.lease(address);
                ClientCall<ProfileRequest, ProfileChunk> call =
                        cancelled.channel().newCall(GridGrpc.getProfileMethod(), CallOptions.DEFAULT);
                call.start(new ClientCall.Listener<>() { }, new Metadata());
                call.sendMessage(request("cancelled"));
                call.halfClose();
                call.cancel("the test cancels it", null);
                cancelled.release();
            }
            answer.release();

            Status end = inFlight.end().get(60, TimeUnit.SECONDS);
            lease.release();
            // A cut call is sent again on a new connection (gRPC's transparent retry), where it waits out the node's 30 s.
            assertEquals(0, node.untakenRequests("long"), "the call in flight was cut and sent to the node again");
            assertEquals(Status.Code.OK, end.getCode(), "the call in flight ended with " + end);
            assertArrayEquals(body, inFlight.bytes());
        } finally {
            pool.stop();
        }
    }

    private static ProfileRequest request(String client) {
        return ProfileRequest.newBuilder().setClient(client).setModule("grid.client").setProfile("heap").build();
    }
}
