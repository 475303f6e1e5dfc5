package com.hydden.diagnostics.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * nginx, the peer the gateway's hop is compared with: an origin serving the node's profiles as static files,
 * and a streaming reverse proxy in front of it. The benchmark writes the configuration and runs nginx in the
 * foreground as its child, everything (pid, error log, temp files) inside one directory, on loopback ports
 * free at the time; {@link #close} stops it, and so does the JVM's exit.
 */
final class Nginx implements AutoCloseable {

    private static final Duration START_LIMIT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Process process;
    private final String version;
    private final Thread stopAtExit;
    private final int originPort;
    private final int proxyPort;

    private Nginx(Process process, String version, int originPort, int proxyPort) {
        this.process = process;
        this.version = version;
        this.originPort = originPort;
        this.proxyPort = proxyPort;
        // Maven's Ctrl-C or a failed run must not leave nginx holding its ports.
        this.stopAtExit = new Thread(process::destroy, "nginx-stop");
        Runtime.getRuntime().addShutdownHook(stopAtExit);
    }

    /** Writes {@code files} (name to bytes) to {@code dir/www}, the configuration to {@code dir}, and starts nginx. */
    static Nginx start(Path dir, Map<String, byte[]> files) throws IOException, InterruptedException {
        Path www = Files.createDirectories(dir.resolve("www"));
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Files.write(www.resolve(file.getKey()), file.getValue());
        }
        Files.createDirectories(dir.resolve("temp"));
        int[] ports = freePorts();
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, config(dir.toAbsolutePath(), ports[0], ports[1]), StandardCharsets.UTF_8);
        String binary = binary();
        String version = version(binary);
        Process process = new ProcessBuilder(binary, "-p", dir.toAbsolutePath() + "/", "-c", conf.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile())
                .start();
        Nginx nginx = new Nginx(process, version, ports[0], ports[1]);
        try {
            nginx.awaitListening(dir);
        } catch (IOException | RuntimeException | InterruptedException e) {
            nginx.close();
            throw e;
        }
        return nginx;
    }

    /**
     * The proxy as the issue asks for a streaming one: keep-alive to the origin (HTTP/1.1, no Connection header
     * passed on) and no buffering of answers; all else at nginx's defaults. {@code sendfile} and
     * {@code tcp_nopush} as Debian's own nginx.conf sets them.
     */
    private static String config(Path dir, int originPort, int proxyPort) {
        return """
                daemon off;
                master_process on;
                worker_processes auto;
                pid "%1$s/nginx.pid";
                lock_file "%1$s/nginx.lock";
                error_log "%1$s/error.log" warn;

                events {
                    worker_connections 1024;
                }

                http {
                    access_log off;
                    default_type application/octet-stream;
                    sendfile on;
                    tcp_nopush on;
                    client_body_temp_path "%1$s/temp/client_body";
                    proxy_temp_path "%1$s/temp/proxy";
                    fastcgi_temp_path "%1$s/temp/fastcgi";
                    uwsgi_temp_path "%1$s/temp/uwsgi";
                    scgi_temp_path "%1$s/temp/scgi";

                    server {
                        listen 127.0.0.1:%2$d;
                        root "%1$s/www";
                    }

                    upstream origin {
                        server 127.0.0.1:%2$d;
                        keepalive 16;
                    }

                    server {
                        listen 127.0.0.1:%3$d;
                        location / {
                            proxy_pass http://origin;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_buffering off;
                        }
                    }
                }
                """.formatted(dir, originPort, proxyPort);
    }

    /** nginx's master process: its workers are its children. */
    long pid() {
        return process.pid();
    }

    /** As {@code nginx -v} gives it, e.g. {@code nginx/1.22.1}. */
    String version() {
        return version;
    }

    /** {@code GET /<node ID>} from the origin: the file of that node's profile. */
    Route origin(HttpClient http) {
        return route("nginx origin", http, originPort);
    }

    /** The same through the proxy. */
    Route proxy(HttpClient http) {
        return route("nginx proxy", http, proxyPort);
    }

    private static Route route(String name, HttpClient http, int port) {
        URI base = URI.create("http://127.0.0.1:" + port + "/");
        return new HttpRoute(name, http, 200,
                client -> HttpRequest.newBuilder(base.resolve(client)).timeout(Duration.ofMinutes(5)).build());
    }

    /** Stops nginx: SIGTERM (its fast shutdown), then SIGKILL if it has not ended within the grace time. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
        } catch (IllegalStateException exiting) {
            // the hook runs anyway
        }
    }

    private void awaitListening(Path dir) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(START_LIMIT);
        while (!listening(originPort) || !listening(proxyPort)) {
            if (!process.isAlive()) {
                throw new IOException("nginx exited with code " + process.exitValue() + "; see "
                        + dir.resolve("nginx.out") + " and " + dir.resolve("error.log"));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException("nginx did not listen within " + START_LIMIT.toSeconds() + " s; see "
                        + dir.resolve("error.log"));
            }
            TimeUnit.MILLISECONDS.sleep(50); // polling the ports, bounded by the deadline
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** Two loopback ports free now; nginx binds them a moment later. */
    private static int[] freePorts() throws IOException {
        try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new int[] {a.getLocalPort(), b.getLocalPort()};
        }
    }

    private static String version(String binary) throws IOException, InterruptedException {
        Process v = new ProcessBuilder(binary, "-v").redirectErrorStream(true).start();
        String out = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        v.waitFor();
        return out.replaceFirst("^nginx version: ", "");
    }

    /** nginx on the PATH, or where Debian's package puts it (/usr/sbin is not on every user's PATH). */
    private static String binary() throws IOException {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of(path.split(File.pathSeparator)), Stream.of("/usr/sbin", "/usr/local/sbin"))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry, "nginx"))
                .filter(Files::isExecutable)
                .map(Path::toString)
                .findFirst()
                .orElseThrow(() -> new IOException("nginx not found: bench/run installs it (apt-get install nginx-light)"));
    }
}
