package com.hydden.diagnostics.demo;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.okhttp.OkHttpServerBuilder;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A grid node serving the grid protocol in plaintext, whose profiles describe the JVM it runs in: for the
 * quick start, tests and benchmarks. In-process: {@code try (DemoNode node = new DemoNode("demo", 0).start())},
 * then call {@code 127.0.0.1:node.port()}. As a process: {@code DemoNode --id demo --port 7443}.
 */
public final class DemoNode implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DemoNode.class.getName());

    private final String id;
    private final ExecutorService cpuProfiling = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "demo-node-cpu-profile");
        thread.setDaemon(true);
        return thread;
    });
    private final DemoGrid grid;
    private final Server server;

    /** A node with ID {@code id} that will listen on {@code port} of all interfaces; 0 picks a free port. */
    public DemoNode(String id, int port) {
        this.id = id;
        this.grid = new DemoGrid(id, cpuProfiling);
        this.server = OkHttpServerBuilder.forPort(port, InsecureServerCredentials.create())
                .addService(grid)
                .build();
    }

    public DemoNode start() throws IOException {
        server.start();
        return this;
    }

    public String id() {
        return id;
    }

    /** The port it listens on, once started. */
    public int port() {
        return server.getPort();
    }

    /** Ends running calls (a cpu profile stops sampling) and stops listening. */
    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        cpuProfiling.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
        cpuProfiling.awaitTermination(5, TimeUnit.SECONDS);
    }

    boolean cpuProfileRunning() {
        return grid.cpuProfileRunning();
    }

    /** {@code --id demo --port 7443} (the defaults); runs until the process is stopped. */
    public static void main(String[] args) throws Exception {
        String id = "demo";
        int port = 7443;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--id" -> id = value;
                case "--port" -> port = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("usage: DemoNode [--id ID] [--port PORT], not " + args[i]);
            }
        }
        if (id.isEmpty()) {
            throw new IllegalArgumentException("--id needs a node ID");
        }
        DemoNode node = new DemoNode(id, port).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-node-shutdown"));
        LOG.info(() -> "Demo grid node " + node.id() + " serves module " + DemoGrid.MODULE + " on port " + node.port());
        node.server.awaitTermination();
    }
}
