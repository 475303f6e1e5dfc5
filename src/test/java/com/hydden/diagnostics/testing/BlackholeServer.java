package com.hydden.diagnostics.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A port on loopback where connecting hangs, as with a host that drops packets: it listens but never
 * accepts, and its accept queue is filled up front, so the kernel drops every further connection attempt.
 */
final class BlackholeServer {

    private final ServerSocket socket;
    private final List<Socket> fillers = new ArrayList<>();

    BlackholeServer() {
        try {
            socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            for (int i = 0; i < 4; i++) {
                Socket filler = new Socket();
                try {
                    filler.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort()), 200);
                    fillers.add(filler);
                } catch (IOException queueFull) {
                    filler.close();
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return socket.getLocalPort();
    }
}
