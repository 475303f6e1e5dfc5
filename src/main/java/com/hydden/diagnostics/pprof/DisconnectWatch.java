package com.hydden.diagnostics.pprof;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Notices clients that hang up while their request waits for its node, so the node stops profiling for
 * nobody. The container does not read a suspended request's connection, so nothing would tell us before the
 * first write; Go's own pprof handler has the same problem and solves it with a background read.
 *
 * <p>One thread watches every waiting connection with a selector of its own. It takes new connections in
 * every {@link #PICK_UP_MILLIS}, without being woken for each: most requests are answered sooner and never
 * cost the watch anything, and a client that hangs up is still noticed well within a second. A connection
 * that turns readable before its answer was sent has either closed (the usual case: read gives end of
 * stream or an error) or pipelined another request, which HTTP clients do not do with a POST; the one byte
 * read then is lost and the watch ends. Watching stops before the response is resumed, so the container is
 * the only reader from then on.
 */
@ApplicationScoped
public class DisconnectWatch {

    private static final Logger LOG = Logger.getLogger(DisconnectWatch.class.getName());
    static final long PICK_UP_MILLIS = 100;

    private final Queue<Watch> added = new ConcurrentLinkedQueue<>();
    private Selector selector;
    private Thread thread;

    @PostConstruct
    void start() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        thread = new Thread(this::run, "pprof-disconnect-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Runs {@code onDisconnect} (on the watch thread) if the client on {@code connection} hangs up before the
     * returned stop is run. Where the server gives no access to the socket, this watches nothing.
     */
    public Runnable watch(Optional<ClientConnection> connection, Runnable onDisconnect) {
        SelectableChannel channel = connection.flatMap(ClientConnection::channel).orElse(null);
        if (!(channel instanceof ReadableByteChannel)) {
            LOG.fine("this server gives no access to the client's socket; a departed client is noticed when written to");
            return () -> { };
        }
        Watch watch = new Watch(channel, onDisconnect);
        added.add(watch);
        return watch::close;
    }

    @PreDestroy
    void stop() {
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing the disconnect selector", e);
        }
        thread.interrupt();
    }

    private void run() {
        ByteBuffer probe = ByteBuffer.allocate(1);
        try {
            while (selector.isOpen()) {
                selector.select(PICK_UP_MILLIS);
                for (Watch watch; (watch = added.poll()) != null; ) {
                    try {
                        watch.register();
                    } catch (IOException | RuntimeException e) {
                        LOG.log(Level.WARNING, "disconnect watch: cannot watch a connection", e);
                    }
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        ((Watch) key.attachment()).readable(probe);
                    } catch (RuntimeException e) {
                        // one connection's trouble must not end the watch of all the others
                        LOG.log(Level.WARNING, "disconnect watch: skipping a connection", e);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (ClosedSelectorException | IOException stopped) {
            LOG.fine("disconnect watch stopped");
        }
    }

    private final class Watch {
        private final SelectableChannel channel;
        private final Runnable onDisconnect;
        private SelectionKey key;      // guarded by this
        private boolean over;          // guarded by this

        Watch(SelectableChannel channel, Runnable onDisconnect) {
            this.channel = channel;
            this.onDisconnect = onDisconnect;
        }

        synchronized void register() throws IOException {
            if (over) {
                return;
            }
            try {
                try {
                    key = channel.register(selector, SelectionKey.OP_READ, this);
                } catch (CancelledKeyException previousRequest) {
                    // A keep-alive connection's key from its previous request stays registered, cancelled,
                    // until the next selection; selectNow ends it, so the connection can be registered again.
                    selector.selectNow();
                    key = channel.register(selector, SelectionKey.OP_READ, this);
                }
            } catch (ClosedChannelException gone) {
                departed();
            } catch (IllegalBlockingModeException | IllegalArgumentException notWatchable) {
                over = true;
            }
        }

        void readable(ByteBuffer probe) {
            boolean gone;
            synchronized (this) {
                if (over) {
                    return;
                }
                try {
                    probe.clear();
                    int read = ((ReadableByteChannel) channel).read(probe);
                    gone = read < 0;
                    if (read > 0) {
                        LOG.fine("client sent data while waiting for its answer; no longer watching it");
                        close();
                    }
                } catch (IOException reset) {
                    gone = true;
                }
            }
            if (gone) {
                departed();
            }
        }

        private void departed() {
            close();
            onDisconnect.run();
        }

        synchronized void close() {
            over = true;
            if (key != null) {
                key.cancel();
            }
        }
    }
}
