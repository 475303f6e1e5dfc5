package com.hydden.diagnostics.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The one deployment every IT uses: the WAR that {@code mvn package} built, configured the way ops
 * configure it, through system properties, against the shared test node.
 */
public final class Deployments {

    /** Node IDs the server knows; each test takes its own. */
    public static final int NODE_IDS = 200;
    /** A node ID whose address has nothing listening. */
    public static final String OFFLINE = "offline-node";

    /** A node ID whose host name does not resolve. */
    public static final String UNRESOLVABLE = "unresolvable-node";
    /** A node ID whose address accepts TCP connections and never says a word. */
    public static final String SILENT = "silent-node";
    /** A node ID with a fixed port of its own, for a test that stops and restarts that node. */
    public static final String RESTARTING = "restarting-node";
    public static final int RESTARTING_PORT = closedPort();

    /** A node ID whose address takes connection attempts and never completes them. */
    public static final String BLACKHOLE = "blackhole-node";

    public static final TestNode NODE = new TestNode();
    private static final BlackholeServer BLACKHOLE_SERVER = new BlackholeServer();
    private static final SilentServer SILENT_SERVER = new SilentServer();
    /** Authentication as every IT expects it; {@link Api} sends the default API token. */
    static final Map<String, String> AUTH = Map.of(
            "diagnostics.auth.jwt.jwks", TestCredentials.JWKS.toString(),
            "diagnostics.auth.jwt.issuer", TestCredentials.ISSUER,
            "diagnostics.auth.jwt.audience", TestCredentials.AUDIENCE,
            "diagnostics.auth.api-tokens", TestCredentials.API_TOKENS.toString());
    /** The node list every deployment has; a test adding nodes of its own appends to it. */
    public static final String NODES = String.join(",",
            IntStream.range(0, NODE_IDS)
                    .mapToObj(i -> "node-" + i + "=127.0.0.1:" + NODE.port())
                    .collect(Collectors.joining(",")),
            OFFLINE + "=127.0.0.1:" + closedPort(),
            UNRESOLVABLE + "=no-such-node.invalid:7443",
            SILENT + "=127.0.0.1:" + SILENT_SERVER.port(),
            BLACKHOLE + "=127.0.0.1:" + BLACKHOLE_SERVER.port(),
            RESTARTING + "=127.0.0.1:" + RESTARTING_PORT);
    /** The configuration of every deployment, unless a test overrides a key for its own. */
    private static final Map<String, String> SHARED = shared();
    private static final Set<String> overridden = new HashSet<>();
    private static int nextId;

    static {
        SHARED.forEach(System::setProperty);
    }

    private static Map<String, String> shared() {
        Map<String, String> shared = new HashMap<>(AUTH);
        shared.put("diagnostics.grid.nodes", NODES);
        shared.put("diagnostics.grid.tls", "false");
        shared.put("diagnostics.grid.timeout", "PT2S");
        shared.put("diagnostics.grid.connect-timeout", "PT2S");
        // Most tests send every request with the one default token, some thousands at once; the per-caller
        // limit has tests of its own.
        shared.put("diagnostics.pprof.max-per-caller", "100000");
        return Map.copyOf(shared);
    }

    private Deployments() {
    }

    public static WebArchive war() {
        return war(Map.of());
    }

    /**
     * The WAR with {@code overrides} on top of the shared configuration. The application reads its
     * configuration when it starts, so the overrides hold for this deployment only: the next {@link #war()}
     * restores the shared values. Every deployment keeps the one name, as a redeployed application does.
     */
    public static synchronized WebArchive war(Map<String, String> overrides) {
        configure(overrides);
        return ShrinkWrap.createFromZipFile(WebArchive.class, packagedWar());
    }

    /**
     * Sets the configuration the next deployment starts with: {@code overrides} on top of the shared values.
     * For a test that deploys one archive several times, each time configured differently.
     */
    public static synchronized void configure(Map<String, String> overrides) {
        overridden.forEach(System::clearProperty);
        overridden.clear();
        SHARED.forEach(System::setProperty);
        overrides.forEach(System::setProperty);
        overridden.addAll(overrides.keySet());
        overridden.removeAll(SHARED.keySet());
    }

    private static File packagedWar() {
        return new File(System.getProperty("diagnostics.war", "target/diagnostics.war"));
    }

    /** A node ID of the test's own, answering with {@code script}. */
    public static synchronized String node(TestNode.Script script) {
        if (nextId == NODE_IDS) {
            throw new IllegalStateException("all " + NODE_IDS + " test node IDs are taken; raise NODE_IDS");
        }
        String id = "node-" + nextId++;
        NODE.script(id, script);
        return id;
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
