package com.hydden.diagnostics.demo;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The README's quick start: the packaged WAR on Payara Micro in the foreground, a demo grid node with ID
 * {@code demo} in this JVM, and the demo API token. Ctrl-C stops the server and the node. {@code mvn -Pdemo
 * package} runs it with {@code --war FILE --payara-micro JAR --port N --dir DIR} (DIR receives the token file).
 *
 * <p>The demo token is active only for the server started here: it exists in no other configuration.
 */
public final class QuickStart {

    /** Stated in the README. */
    static final String DEMO_TOKEN = "demo-token-0123456789abcdef";
    static final String NODE_ID = "demo";

    private static final Logger LOG = Logger.getLogger(QuickStart.class.getName());
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(3);

    private QuickStart() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int port = Integer.parseInt(options.get("--port"));
        requireFree(port);
        DemoNode node = new DemoNode(NODE_ID, 0).start();
        PayaraMicro server;
        try {
            Path tokens = ApiTokenFile.write(Path.of(options.get("--dir"), "api-tokens"), "demo", DEMO_TOKEN,
                    "diagnostics");
            server = PayaraMicro.start(Path.of(options.get("--payara-micro")), Path.of(options.get("--war")), port,
                    Map.of("diagnostics.grid.nodes", NODE_ID + "=127.0.0.1:" + node.port(),
                            "diagnostics.grid.tls", "false",
                            "diagnostics.auth.api-tokens", tokens.toAbsolutePath().toString()),
                    ProcessBuilder.Redirect.INHERIT);
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        // Ctrl-C ends this JVM through its shutdown hooks; Payara Micro must not outlive it.
        AtomicBoolean exiting = new AtomicBoolean();
        Thread onExit = new Thread(() -> {
            exiting.set(true);
            stop(server, node);
        }, "quick-start-shutdown");
        Runtime.getRuntime().addShutdownHook(onExit);
        try {
            server.awaitReady(BOOT_TIMEOUT);
            LOG.info(() -> banner(port));
            int exit = server.waitFor();
            if (!exiting.get()) {
                throw new IllegalStateException("Payara Micro stopped with exit code " + exit);
            }
        } finally {
            if (!exiting.get()) {
                Runtime.getRuntime().removeShutdownHook(onExit);
                stop(server, node);
            }
        }
    }

    private static String banner(int port) {
        String url = "http://localhost:" + port + "/internal/v1/pprof";
        return String.join("\n",
                "",
                "Diagnostics API on http://localhost:" + port + " with demo grid node '" + NODE_ID + "'.",
                "Demo API token (this demo only): " + DEMO_TOKEN,
                "Fetch a profile:",
                "  curl -s -o hydden-goroutine.out -X POST " + url + " -H 'Content-Type: application/json'"
                        + " -H 'Authorization: Bearer " + DEMO_TOKEN + "' -d '{\"client\":\"" + NODE_ID
                        + "\",\"profile\":\"goroutine\"}'",
                "  go tool pprof -top hydden-goroutine.out",
                "Ctrl-C stops the server and the node.");
    }

    private static void stop(PayaraMicro server, DemoNode node) {
        try {
            server.close();
            node.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void requireFree(int port) throws IOException {
        ServerSocket probe;
        try {
            probe = new ServerSocket(port);
        } catch (IOException e) {
            throw new IOException("port " + port + " is in use; stop what listens there, or pick another port"
                    + " with -Ddemo.port=N", e);
        }
        probe.close();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        for (String required : new String[] {"--war", "--payara-micro", "--port", "--dir"}) {
            if (!options.containsKey(required)) {
                throw new IllegalArgumentException(
                        "usage: QuickStart --war FILE --payara-micro JAR --port N --dir DIR; missing " + required);
            }
        }
        return options;
    }
}
