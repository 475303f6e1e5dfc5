package com.hydden.diagnostics.pprof;

import static com.hydden.diagnostics.testing.Api.body;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.grid.api.Stats;
import com.hydden.diagnostics.profile.HandBuilt;
import com.hydden.diagnostics.profile.ProfileCodec;
import com.hydden.diagnostics.profile.proto.Profile;
import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.Scripts;
import com.hydden.diagnostics.testing.TestNode;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.ByteArrayInputStream;
import java.net.URL;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The node's own facts on every 200, from its GetStats, asked beside the profile and kept a minute; a node that
 * can't say them holds no profile back.
 */
@ExtendWith(ArquillianExtension.class)
class NodeFactsIT {

    private static final List<String> FACTS = List.of("X-Grid-Node", "X-Grid-Node-Version", "X-Grid-Component",
            "X-Grid-Go-Version", "X-Grid-Go-Arch");
    private static final TestNode DESCRIBED = new TestNode();
    private static final TestNode SILENT_ABOUT_ITSELF = new TestNode();
    private static final TestNode SLOW_TO_SAY = new TestNode();
    private static final BlockingQueue<ServerCallStreamObserver<Stats>> UNANSWERED = new LinkedBlockingQueue<>();
    private static final int IDS = 10;
    private static int nextDescribed;
    private static int nextSilent;
    private static int nextSlow;

    static {
        DESCRIBED.stats(out -> {
            out.onNext(DeltaProfileIT.stats("node-7f3a", 5000));
            out.onCompleted();
        });
        SILENT_ABOUT_ITSELF.stats(out -> out.onError(Status.UNIMPLEMENTED.withDescription("no stats here").asRuntimeException()));
        // Never answers: the gateway's deadline (the grid timeout, 30 s here) ends the question.
        SLOW_TO_SAY.stats(out -> UNANSWERED.add((ServerCallStreamObserver<Stats>) out));
    }

    @Deployment(testable = false)
    static WebArchive deployment() {
        StringBuilder nodes = new StringBuilder(Deployments.NODES);
        for (int i = 0; i < IDS; i++) {
            nodes.append(",described-").append(i).append("=127.0.0.1:").append(DESCRIBED.port());
            nodes.append(",silent-").append(i).append("=127.0.0.1:").append(SILENT_ABOUT_ITSELF.port());
            nodes.append(",slow-").append(i).append("=127.0.0.1:").append(SLOW_TO_SAY.port());
        }
        // A grid timeout far beyond how long a profile waits for the facts, so the two can't be confused.
        return Deployments.war(Map.of("diagnostics.grid.nodes", nodes.toString(), "diagnostics.grid.timeout", "PT30S"));
    }

    @ArquillianResource
    URL base;

    @Test
    void snapshot_carriesTheNodesFacts() throws Exception {
        byte[] profile = PprofIT.random(10_000, 3);
        String node = described(Scripts.answer(profile));

        HttpResponse<byte[]> response = new Api(base).profile(body(node, "heap"));

        assertEquals(200, response.statusCode());
        assertArrayEquals(profile, response.body());
        HttpHeaders headers = response.headers();
        assertEquals("node-7f3a", headers.firstValue("X-Grid-Node").orElse(""));
        assertEquals("2.3.4", headers.firstValue("X-Grid-Node-Version").orElse(""));
        assertEquals("grid.client", headers.firstValue("X-Grid-Component").orElse(""));
        assertEquals("go1.22.3", headers.firstValue("X-Grid-Go-Version").orElse(""));
        assertEquals("linux/amd64", headers.firstValue("X-Grid-Go-Arch").orElse(""));
        assertFalse(headers.firstValue("X-Profile-Window").isPresent(), "a snapshot has no window");
    }

    @Test
    void nodeFacts_areAskedOncePerMinute_notOncePerRequest() throws Exception {
        String node = described(Scripts.answer(PprofIT.random(1000, 4)));

        for (HttpResponse<byte[]> response : fiveMoreAskingNothing(DESCRIBED, node, "GetStats was asked again within the minute")) {
            assertEquals("node-7f3a", response.headers().firstValue("X-Grid-Node").orElse(""));
        }
    }

    @Test
    void failingGetStats_failsNothing_theFactsAreLeftOut() throws Exception {
        byte[] profile = PprofIT.random(10_000, 5);
        String node = silent(Scripts.answer(profile));

        HttpResponse<byte[]> response = new Api(base).profile(body(node, "heap"));

        assertEquals(200, response.statusCode());
        assertArrayEquals(profile, response.body());
        FACTS.forEach(h -> assertFalse(response.headers().firstValue(h).isPresent(), h + " without GetStats"));
    }

    @Test
    void nodeWithoutGetStats_isAskedOncePerMinute_notOncePerRequest() throws Exception {
        String node = silent(Scripts.answer(PprofIT.random(1000, 6)));

        fiveMoreAskingNothing(SILENT_ABOUT_ITSELF, node, "a node that has no GetStats was asked again within the minute");
    }

    @Test
    void getStatsWithoutAnswer_holdsNoProfileBack_andIsNotAskedAgainMeanwhile() throws Exception {
        byte[] profile = PprofIT.random(10_000, 7);
        String node = slow(Scripts.answer(profile));
        Api api = new Api(base);
        long before = SLOW_TO_SAY.statsCalls();

        HttpResponse<byte[]> first = api.profile(body(node, "heap"));
        HttpResponse<byte[]> second = api.profile(body(node, "heap"));

        ServerCallStreamObserver<Stats> question = UNANSWERED.poll(10, TimeUnit.SECONDS);
        assertNotNull(question, "GetStats was not asked");
        assertFalse(question.isCancelled(), "the answers waited for GetStats until its deadline");
        for (HttpResponse<byte[]> response : List.of(first, second)) {
            assertEquals(200, response.statusCode());
            assertArrayEquals(profile, response.body());
            FACTS.forEach(h -> assertFalse(response.headers().firstValue(h).isPresent(), h + " without an answer"));
        }
        assertEquals(before + 1, SLOW_TO_SAY.statsCalls(), "GetStats was asked again while the first question was open");
    }

    @Test
    void failingGetStats_deltaIsStillAnswered_withoutFacts() throws Exception {
        Profile first = new HandBuilt(1, 0).types("goroutine/count").sample(List.of("main.main"), 2).build();
        Profile second = new HandBuilt(9, 0).types("goroutine/count").sample(List.of("main.main"), 5).build();
        String node = silent(DeltaProfileIT.twoSnapshots(first, second));

        HttpResponse<byte[]> response = new Api(base).profile(DeltaProfileIT.delta(node, "goroutine", 1));

        assertEquals(200, response.statusCode());
        assertEquals(Map.of(List.of("main.main"), List.of(3L)),
                HandBuilt.valuesByStack(ProfileCodec.decode(new ByteArrayInputStream(response.body()), Long.MAX_VALUE)));
        assertTrue(response.headers().firstValue("X-Profile-Window").isPresent());
        FACTS.forEach(h -> assertFalse(response.headers().firstValue(h).isPresent(), h + " without GetStats"));
    }

    private static synchronized String described(TestNode.Script script) {
        String node = "described-" + nextDescribed++;
        DESCRIBED.script(node, script);
        return node;
    }

    /**
     * A goroutine profile of {@code node}, then five more: each a 200, and none asks {@code at} its GetStats
     * again. The five answers.
     */
    private List<HttpResponse<byte[]>> fiveMoreAskingNothing(TestNode at, String node, String askedAgain) throws Exception {
        Api api = new Api(base);
        assertEquals(200, api.profile(body(node, "goroutine")).statusCode());
        long asked = at.statsCalls();

        List<HttpResponse<byte[]>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HttpResponse<byte[]> response = api.profile(body(node, "goroutine"));
            assertEquals(200, response.statusCode());
            answers.add(response);
        }
        assertEquals(asked, at.statsCalls(), askedAgain);
        return answers;
    }

    private static synchronized String slow(TestNode.Script script) {
        String node = "slow-" + nextSlow++;
        SLOW_TO_SAY.script(node, script);
        return node;
    }

    private static synchronized String silent(TestNode.Script script) {
        String node = "silent-" + nextSilent++;
        SILENT_ABOUT_ITSELF.script(node, script);
        return node;
    }
}
