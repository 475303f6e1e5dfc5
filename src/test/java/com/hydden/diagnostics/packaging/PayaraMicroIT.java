package com.hydden.diagnostics.packaging;

import static com.hydden.diagnostics.demo.PprofChecks.assertWellFormed;
import static com.hydden.diagnostics.demo.PprofChecks.parse;
import static com.hydden.diagnostics.demo.PprofChecks.sampleTypes;
import static com.hydden.diagnostics.demo.PprofChecks.stack;
import static com.hydden.diagnostics.testing.Api.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.demo.ApiTokenFile;
import com.hydden.diagnostics.demo.DemoNode;
import com.hydden.diagnostics.demo.PayaraMicro;
import com.hydden.diagnostics.profile.proto.Profile;
import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Problems;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The packaged WAR on a stock Payara Micro from Maven Central, configured only by system properties, serving a
 * profile from a demo node. It proves what the embedded ITs cannot: they load gRPC and protobuf from the test
 * class path, this server only from the WAR's {@code WEB-INF/lib}.
 */
class PayaraMicroIT {

    private static final Logger LOG = Logger.getLogger(PayaraMicroIT.class.getName());
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern FILENAME =
            Pattern.compile("attachment; filename=hydden-goroutine-(\\d{8}T\\d{6}Z)\\.out");
    private static final String TOKEN = "packaging-test-token";

    private static DemoNode node;
    private static PayaraMicro server;

    @RegisterExtension
    static final TestWatcher SERVER_LOG_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (server != null) {
                LOG.severe(() -> context.getDisplayName() + " failed; Payara Micro's log:" + server.logTail());
            }
        }
    };

    @BeforeAll
    static void startServer() throws Exception {
        Path war = Path.of(System.getProperty("diagnostics.war", "target/diagnostics.war"));
        Path jar = Path.of(System.getProperty("diagnostics.payara-micro", "target/payara-micro.jar"));
        Path work = war.toAbsolutePath().getParent().resolve("payara-micro-it");
        node = new DemoNode("demo", 0).start();
        Path tokens = ApiTokenFile.write(work.resolve("api-tokens"), "packaging-test", TOKEN, "diagnostics");
        server = PayaraMicro.start(jar, war, freePort(), Map.of(
                        "diagnostics.grid.nodes", "demo=127.0.0.1:" + node.port(),
                        "diagnostics.grid.tls", "false",
                        "diagnostics.auth.api-tokens", tokens.toString()),
                ProcessBuilder.Redirect.to(work.resolve("payara-micro.log").toFile()));
        server.awaitReady(BOOT_TIMEOUT);
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    void goroutineProfile_arrivesAsPprofWithTheContractHeaders() throws Exception {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        HttpResponse<byte[]> response = post(body("demo", "goroutine"));

        Instant after = Instant.now();
        assertEquals(200, response.statusCode(), () -> new String(response.body()));
        assertEquals("application/octet-stream", response.headers().firstValue("Content-Type").orElse(""));
        String disposition = response.headers().firstValue("Content-Disposition").orElse("");
        Matcher m = FILENAME.matcher(disposition);
        assertTrue(m.matches(), disposition);
        Instant stamped = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssX").parse(m.group(1), Instant::from);
        assertFalse(stamped.isBefore(before) || stamped.isAfter(after), stamped + " not within the request");

        Profile profile = parse(response.body());
        assertWellFormed(profile);
        assertEquals(List.of("goroutine/count"), sampleTypes(profile));
        // The demo node runs in this JVM: the thread waiting for the answer is in the profile.
        String caller = PayaraMicroIT.class.getName() + ".post";
        assertTrue(profile.getSampleList().stream().anyMatch(s -> stack(profile, s).contains(caller)),
                "no stack holds " + caller);
    }

    @Test
    void unknownNode_is404Problem() throws Exception {
        HttpResponse<byte[]> response = post(body("no-such-node", "goroutine"));

        Problems.assertProblem(response, 404, "unknown-node");
    }

    private static HttpResponse<byte[]> post(String json) throws IOException, InterruptedException {
        Api api = new Api(server.baseUri().toURL());
        return api.send(api.post(json).setHeader("Authorization", "Bearer " + TOKEN).build());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
