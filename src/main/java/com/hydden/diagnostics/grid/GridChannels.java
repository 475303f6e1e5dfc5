package com.hydden.diagnostics.grid;

import io.grpc.ChannelCredentials;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.okhttp.OkHttpChannelBuilder;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * One gRPC channel per node address, shared by every request to that node. Channels are opened on first
 * use, closed when idle or when the pool is full (least recently used first, never one in use), and all
 * closed on undeploy, together with the threads gRPC runs on.
 *
 * <p>The bean only hands out channels; callers make the calls, so gRPC failures never cross the EJB
 * boundary. Concurrency is managed by the bean (a concurrent map), so no caller waits on a container lock.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class GridChannels {

    private static final Logger LOG = Logger.getLogger(GridChannels.class.getName());
    static final String TLS_KEY = "diagnostics.grid.tls";

    @Inject
    @ConfigProperty(name = "diagnostics.grid.idle-timeout")
    Duration idleTimeout;

    @Inject
    @ConfigProperty(name = "diagnostics.grid.connect-timeout")
    Duration connectTimeout;

    @Inject
    @ConfigProperty(name = "diagnostics.grid.max-channels")
    int maxChannels;

    @Inject
    @ConfigProperty(name = TLS_KEY)
    String tlsConfig;

    @Inject
    @ConfigProperty(name = "diagnostics.grid.tls.trust")
    Optional<String> tlsTrust;

    @Inject
    @ConfigProperty(name = "diagnostics.grid.tls.cert")
    Optional<String> tlsCert;

    @Inject
    @ConfigProperty(name = "diagnostics.grid.tls.key")
    Optional<String> tlsKey;

    private final Map<NodeAddress, Pooled> channels = new ConcurrentHashMap<>();
    private ChannelCredentials credentials;
    private ConnectTimeoutSockets sockets;
    private ExecutorService grpcThreads;
    private ScheduledExecutorService timers;

    @PostConstruct
    void start() {
        requirePositive("diagnostics.grid.idle-timeout", idleTimeout);
        if (maxChannels < 1) {
            throw new IllegalArgumentException("diagnostics.grid.max-channels: must be at least 1, is " + maxChannels);
        }
        requirePositive("diagnostics.grid.connect-timeout", connectTimeout);
        credentials = NodeCredentials.of(tls(tlsConfig), tlsTrust, tlsCert, tlsKey);
        sockets = new ConnectTimeoutSockets(connectTimeout);
        grpcThreads = Executors.newCachedThreadPool(named("grid-io"));
        timers = Executors.newSingleThreadScheduledExecutor(named("grid-timer"));
        long sweepMillis = Math.max(1000, Math.min(idleTimeout.toMillis() / 4, 60_000));
        timers.scheduleWithFixedDelay(this::closeIdle, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * The channel to {@code address}, held until {@link Lease#release()}.
     *
     * <p>A channel whose last connection attempt failed is replaced by a new one. Kept, it would fail every
     * call at once with that old failure until its reconnect backoff ends (a restarted node would still look
     * offline), or, with wait-for-ready calls, hold them until the connect timeout and lose the reason. A new
     * channel makes this request's own attempt: the node's answer, or the failure and its cause (connection
     * refused, TLS handshake, host name), at once. A failed channel carries no call to disturb.
     */
    public Lease lease(NodeAddress address) {
        Pooled[] created = new Pooled[1];
        Pooled[] failed = new Pooled[1];
        Pooled pooled = channels.compute(address, (key, existing) -> {
            Pooled p = existing;
            if (p != null && p.channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
                failed[0] = p;
                p = null;
            }
            if (p == null) {
                p = created[0] = new Pooled(open(key));
            }
            p.active++;
            p.lastUsedNanos = System.nanoTime();
            return p;
        });
        if (failed[0] != null) {
            failed[0].channel.shutdown();
        }
        if (created[0] != null && channels.size() > maxChannels) {
            closeLeastRecentlyUsed();
        }
        return new Lease(address, pooled);
    }

    /** Timers for call deadlines; shut down with the pool. */
    public ScheduledExecutorService timers() {
        return timers;
    }

    public int openChannels() {
        return channels.size();
    }

    public int maxChannels() {
        return maxChannels;
    }

    /** False once the pool's threads are gone: no call can be made or timed until the application restarts. */
    public boolean running() {
        return !timers.isShutdown() && !grpcThreads.isShutdown();
    }

    @PreDestroy
    void stop() {
        timers.shutdownNow();
        channels.values().forEach(p -> p.channel.shutdown());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Pooled p : channels.values()) {
            try {
                if (!p.channel.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    p.channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.channel.shutdownNow();
            }
        }
        channels.clear();
        grpcThreads.shutdownNow();
    }

    private ManagedChannel open(NodeAddress address) {
        return OkHttpChannelBuilder.forAddress(address.socketHost(), address.port(), credentials)
                .executor(grpcThreads)
                .offloadExecutor(grpcThreads)
                .transportExecutor(grpcThreads)
                .scheduledExecutorService(timers)
                .socketFactory(sockets)
                .userAgent("hydden-diagnostics")
                .build();
    }

    private void closeIdle() {
        long idleNanos = idleTimeout.toNanos();
        long now = System.nanoTime();
        channels.forEach((address, pooled) -> {
            if (channels.computeIfPresent(address, (k, p) -> p.active == 0 && now - p.lastUsedNanos > idleNanos ? null : p) == null) {
                LOG.fine(() -> "closing idle channel to " + address);
                pooled.channel.shutdown();
            }
        });
    }

    private void closeLeastRecentlyUsed() {
        channels.entrySet().stream()
                .filter(e -> e.getValue().active == 0)
                .min(Comparator.comparingLong(e -> e.getValue().lastUsedNanos))
                .ifPresent(e -> {
                    if (channels.remove(e.getKey(), e.getValue())) {
                        e.getValue().channel.shutdown();
                    }
                });
    }

    /**
     * Only {@code true} or {@code false}: MicroProfile Config reads any other word as false, so a typo would
     * turn TLS off without a word.
     */
    static boolean tls(String config) {
        String value = config.strip();
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException(TLS_KEY + ": must be true or false, is '" + value + "'");
    }

    static void requirePositive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + ": must be a positive duration, is " + value);
        }
    }

    private ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        ClassLoader application = GridChannels.class.getClassLoader();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            // See ProfileWriters: the application's own loader, not a ManagedThreadFactory's stale one.
            thread.setContextClassLoader(application);
            return thread;
        };
    }

    private static final class Pooled {
        final ManagedChannel channel;
        int active;               // guarded by the map's compute on this entry
        volatile long lastUsedNanos;

        Pooled(ManagedChannel channel) {
            this.channel = channel;
        }
    }

    /** A channel in use; release it exactly once when the call is over. */
    public final class Lease {
        private final NodeAddress address;
        private final Pooled pooled;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(NodeAddress address, Pooled pooled) {
            this.address = address;
            this.pooled = pooled;
        }

        public ManagedChannel channel() {
            return pooled.channel;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                channels.computeIfPresent(address, (k, p) -> {
                    if (p == pooled) {
                        p.active--;
                        p.lastUsedNanos = System.nanoTime();
                    }
                    return p;
                });
            }
        }
    }
}
