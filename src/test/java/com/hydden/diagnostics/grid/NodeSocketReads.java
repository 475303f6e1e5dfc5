package com.hydden.diagnostics.grid;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;
import okio.Buffer;
import okio.BufferedSource;
import okio.Okio;

/**
 * What reading a profile off a node connection costs the reading thread, with and without {@link ReadAhead}:
 * a sender on loopback writes HTTP/2 DATA frames (9-byte header, 16 KiB payload, gRPC's default frame size),
 * and the reader takes them the way the okhttp transport does, through an okio source over the socket's input.
 * Measured in CPU time of the reading thread, so the sender's share of the cores does not count.
 */
public final class NodeSocketReads {

    private static final int FRAME = 16 * 1024;
    private static final int HEADER = 9;

    private NodeSocketReads() {
    }

    /** Median reader CPU seconds for {@code bytes}, {@code runs} runs each, the two ways taking turns. */
    public static Result measure(int bytes, int runs) throws IOException {
        byte[] frame = new byte[HEADER + FRAME];
        new Random(3).nextBytes(frame);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] direct = new double[runs];
        double[] readAhead = new double[runs];
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread sender = new Thread(() -> send(server, frame, bytes), "node-socket-sender");
            sender.setDaemon(true);
            sender.start();
            for (int i = -2; i < runs; i++) { // two unrecorded rounds first, for the JIT
                double plain = read(server, bytes, false, threads);
                double ahead = read(server, bytes, true, threads);
                if (i >= 0) {
                    direct[i] = plain;
                    readAhead[i] = ahead;
                }
            }
            sender.interrupt();
        }
        return new Result(median(direct), median(readAhead));
    }

    public record Result(double directSeconds, double readAheadSeconds) {
    }

    private static double read(ServerSocket server, int bytes, boolean ahead, ThreadMXBean threads)
            throws IOException {
        try (Socket socket = new Socket(server.getInetAddress(), server.getLocalPort())) {
            InputStream in = ahead ? new ReadAhead(socket.getInputStream()) : socket.getInputStream();
            BufferedSource source = Okio.buffer(Okio.source(in));
            Buffer payload = new Buffer();
            long started = threads.getCurrentThreadCpuTime();
            for (long read = 0; read < bytes; read += FRAME) {
                source.require(HEADER);
                source.skip(HEADER);
                source.require(FRAME);
                payload.write(source.getBuffer(), FRAME); // as the transport moves a DATA frame to its stream
                payload.clear();
            }
            return (threads.getCurrentThreadCpuTime() - started) / 1e9;
        }
    }

    private static void send(ServerSocket server, byte[] frame, int bytes) {
        while (!Thread.currentThread().isInterrupted()) {
            try (Socket socket = server.accept(); OutputStream out = socket.getOutputStream()) {
                for (long sent = 0; sent < bytes; sent += FRAME) {
                    out.write(frame);
                }
            } catch (IOException e) {
                return; // the server socket closed: the measurement is over
            }
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
