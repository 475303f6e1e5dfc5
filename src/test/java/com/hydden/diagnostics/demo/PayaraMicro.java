package com.hydden.diagnostics.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The packaged WAR on a stock Payara Micro, in a JVM of its own, configured only by system properties: the
 * way an operator runs it. Used by the quick start, the packaging and cluster tests, and the benchmark.
 */
public final class PayaraMicro implements AutoCloseable {

    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    /** Payara Micro undeploys and deletes its runtime directory on SIGTERM; give it time for that. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final int LOG_TAIL_LINES = 80;

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private final Process process;
    private final int port;
    private final ProcessBuilder.Redirect output;

    private PayaraMicro(Process process, int port, ProcessBuilder.Redirect output) {
        this.process = process;
        this.port = port;
        this.output = output;
    }

    /**
     * Starts {@code java -jar payaraMicroJar} deploying {@code war} on {@code port}, with {@code properties}
     * as JVM system properties; the server's log goes to {@code output} (a file, or the caller's console).
     * The jar's manifest opens the JDK packages Payara needs, so no {@code --add-opens} are given here.
     */
    public static PayaraMicro start(Path payaraMicroJar, Path war, int port, Map<String, String> properties,
                                    ProcessBuilder.Redirect output) throws IOException {
        return start(payaraMicroJar, war, port, properties, output, List.of("--nocluster"));
    }

    /**
     * As {@link #start(Path, Path, int, Map, ProcessBuilder.Redirect)}, with {@code clusterOptions} instead of
     * {@code --nocluster}: how this instance finds the data grid it shares with others.
     */
    public static PayaraMicro start(Path payaraMicroJar, Path war, int port, Map<String, String> properties,
                                    ProcessBuilder.Redirect output, List<String> clusterOptions) throws IOException {
        return start(payaraMicroJar, war, List.of(), port, properties, output, clusterOptions);
    }

    /**
     * As {@link #start(Path, Path, int, Map, ProcessBuilder.Redirect)}, with {@code otherWars} deployed beside
     * {@code war} on the same server, each at the context root its own descriptor gives. {@link #awaitReady}
     * still waits for {@code war} only.
     */
    public static PayaraMicro start(Path payaraMicroJar, Path war, List<Path> otherWars, int port,
                                    Map<String, String> properties, ProcessBuilder.Redirect output)
            throws IOException {
        return start(payaraMicroJar, war, otherWars, port, properties, output, List.of("--nocluster"));
    }

    private static PayaraMicro start(Path payaraMicroJar, Path war, List<Path> otherWars, int port,
                                     Map<String, String> properties, ProcessBuilder.Redirect output,
                                     List<String> clusterOptions) throws IOException {
        requireFile(payaraMicroJar);
        requireFile(war);
        otherWars.forEach(PayaraMicro::requireFile);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        new TreeMap<>(properties).forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", payaraMicroJar.toString()));
        command.addAll(clusterOptions);
        command.addAll(List.of("--disablephonehome",
                "--port", Integer.toString(port),
                "--deploy", war.toString()));
        for (Path other : otherWars) {
            command.addAll(List.of("--deploy", other.toString()));
        }
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output)
                .start();
        return new PayaraMicro(process, port, output);
    }

    /** The server JVM's process ID, to watch its threads and heap. */
    public long pid() {
        return process.pid();
    }

    public URI baseUri() {
        return URI.create("http://localhost:" + port + "/");
    }

    /**
     * Waits until the application answers on its port. Only the application writes
     * {@code application/problem+json} (here: to a GET on the POST-only endpoint); before it is deployed the
     * port is closed or Payara answers with its own HTML page.
     *
     * @throws IllegalStateException when the server exits or does not answer within {@code timeout}
     */
    public void awaitReady(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        HttpRequest probe = HttpRequest.newBuilder(baseUri().resolve("internal/v1/pprof"))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Payara Micro exited with code " + process.exitValue()
                        + " before the application answered on port " + port + logTail());
            }
            if (answers(probe)) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the application did not answer on port " + port + " within "
                        + timeout.toSeconds() + " s of starting Payara Micro" + logTail());
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
    }

    /** Blocks until the server process ends; returns its exit code. */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** Whether the server's log (when it goes to a file) holds {@code text} anywhere. */
    public boolean logContains(String text) {
        if (output.file() == null) {
            return false;
        }
        try {
            return Files.readString(output.file().toPath(), StandardCharsets.ISO_8859_1).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    /** The last lines of the server's log, when it goes to a file; empty otherwise. */
    public String logTail() {
        if (output.file() == null) {
            return "";
        }
        try {
            List<String> lines = Files.readAllLines(output.file().toPath(), StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
            return "\n--- last " + tail.size() + " lines of " + output.file() + " ---\n" + String.join("\n", tail);
        } catch (IOException e) {
            return "\n(cannot read " + output.file() + ": " + e + ")";
        }
    }

    /** Ends the server at once, as a crash or an OOM killer would: no undeploy, no goodbye to the grid. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Stops the server: SIGTERM, then, if it has not ended within the grace time, SIGKILL. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static boolean answers(HttpRequest probe) throws InterruptedException {
        try {
            HttpResponse<Void> response = HTTP.send(probe, HttpResponse.BodyHandlers.discarding());
            return response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json");
        } catch (IOException notYet) {
            // refused, timed out, or reset while the listener starts
            return false;
        }
    }

    private static void requireFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UncheckedIOException(new IOException(file + " does not exist: run mvn package first"));
        }
    }
}
