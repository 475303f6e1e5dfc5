package com.hydden.diagnostics.grid;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import javax.net.SocketFactory;

/**
 * The plain sockets under every node connection (TLS is layered on them).
 *
 * <p>Their connect gives up after the connect timeout. gRPC's okhttp transport connects with no timeout of its
 * own, so a host that drops packets would hold a connection attempt for minutes. Only the TCP connect is
 * bounded here: a node that accepts the connection and then says nothing is a node that does not answer, and
 * meets the first-chunk time limit instead.
 *
 * <p>Their input is read ahead in blocks while a profile streams in (see {@link ReadAhead}).
 */
final class NodeSockets extends SocketFactory {

    private final int timeoutMillis;

    NodeSockets(Duration timeout) {
        this.timeoutMillis = Math.toIntExact(timeout.toMillis());
    }

    @Override
    public Socket createSocket() {
        return new NodeSocket(timeoutMillis);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    private Socket connected(InetSocketAddress remote, InetSocketAddress... local) throws IOException {
        Socket socket = new NodeSocket(timeoutMillis);
        try {
            if (local.length > 0) {
                socket.bind(local[0]);
            }
            socket.connect(remote, timeoutMillis);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static final class NodeSocket extends Socket {
        private final int timeoutMillis;
        private InputStream in;

        NodeSocket(int timeoutMillis) {
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        public void connect(SocketAddress endpoint) throws IOException {
            connect(endpoint, timeoutMillis);
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new ReadAhead(super.getInputStream());
            }
            return in;
        }
    }
}
