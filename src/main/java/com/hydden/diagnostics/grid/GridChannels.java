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
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * One gRPC channel per node address, shared by every request to that node. Channels are opened on first
 * use, closed when idle or when the pool is full (least recently used first, never one in use), and all
 * closed on undeploy, together with the threads gRPC runs on.
 *
 * <p>A node with more than {@link #CALLS_PER_CHANNEL} calls at once (possible only when
 * {@code diagnostics.pprof.max-per-node} is raised that far) gets another channel for the calls beyond, so
 * no single HTTP/2 connection carries thousands of streams: a node that shares its connection window out
 * over every stream would then cut each answer into frames of a few bytes.
 *
 * <p>A channel is retired after {@link #CALLS_PER_CONNECTION} calls or {@link #MAX_AGE}: it takes no new calls
 * and is shut down when its last one ends.
 *
 * <p>The bean only hands out channels; callers make the calls, so gRPC failures never cross the EJB
 * boundary. Concurrency is managed by the bean (a concurrent map), so no caller waits on a container lock;
 * it uses no transactions, so the container starts none per call.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class GridChannels {

    private static final Logger LOG = Logger.getLogger(GridChannels.class.getName());
    static final String TLS_KEY = "diagnostics.grid.tls";
    /** Calls one channel carries before a node gets another one. */
    static final int CALLS_PER_CHANNEL = 200;
    /**
     * gRPC's flow-control window per call and per connection. A call can hold this much the HTTP client has
     * not taken yet; with grpc-okhttp's 64 KiB default, a large profile stalls on window updates and many
     * calls answered at once arrive in tiny frames.
     */
    static final int FLOW_CONTROL_WINDOW = 1 << 20;
    /**
     * Calls a channel carries in its life, and how long it lives, before it is retired: its calls finish on it,
     * new ones go to a new channel. grpc-okhttp's client counts the control frames it sends (acknowledgements of
     * PING and SETTINGS, RST_STREAM) against a limit of 10,000, and counts them back down only when it writes
     * 8 KiB or more at once, which a client sending small requests seldom does. Past the limit it closes the
     * socket without a word, failing the call in flight. A Go node sends a PING with about every call it
     * receives (grpc-go's bandwidth estimate), so a busy node's connection reached the limit after some
     * 10,000 calls; a node's keepalive pings count too, whatever the calls, hence the age.
     */
    static final int CALLS_PER_CONNECTION = 2_000;
    static final Duration MAX_AGE = Duration.ofHours(1);

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

    // Per address its channels, first opened first; a list is replaced, never changed, and only in the
    // map's compute for its address, which also guards the channels' call counts.
    private final Map<NodeAddress, List<Pooled>> channels = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    int callsPerConnection = CALLS_PER_CONNECTION;
    long maxAgeNanos = MAX_AGE.toNanos();
    private ChannelCredentials credentials;
    private NodeSockets sockets;
    private ExecutorService grpcThreads;
    private ExecutorService callbacks;
    private ScheduledExecutorService timers;

    @PostConstruct
    void start() {
        requirePositive("diagnostics.grid.idle-timeout", idleTimeout);
        if (maxChannels < 1) {
            throw new IllegalArgumentException("diagnostics.grid.max-channels: must be at least 1, is " + maxChannels);
        }
        requirePositive("diagnostics.grid.connect-timeout", connectTimeout);
        credentials = NodeCredentials.of(tls(tlsConfig), tlsTrust, tlsCert, tlsKey);
        sockets = new NodeSockets(connectTimeout);
        grpcThreads = Executors.newCachedThreadPool(DaemonThreads.named("grid-io"));
        // The calls' listeners only hand chunks and outcomes on, never block: a few threads serve any
        // number of calls, where a growing pool would start hundreds when many nodes answer at once.
        callbacks = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                DaemonThreads.named("grid-callback"));
        timers = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("grid-timer"));
        long sweepMillis = Math.max(1000, Math.min(idleTimeout.toMillis() / 4, 60_000));
        timers.scheduleWithFixedDelay(this::closeIdle, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * The channel to {@code address}, held until {@link Lease#release()}.
     *
     * <p>A channel that has carried {@link #CALLS_PER_CONNECTION} calls or lived {@link #MAX_AGE} takes no more;
     * it is shut down once its last call is released.
     *
     * <p>A channel whose last connection attempt failed is replaced by a new one. Kept, it would fail every
     * call at once with that old failure until its reconnect backoff ends (a restarted node would still look
     * offline), or, with wait-for-ready calls, hold them until the connect timeout and lose the reason. A new
     * channel makes this request's own attempt: the node's answer, or the failure and its cause (connection
     * refused, TLS handshake, host name), at once. A failed channel carries no call to disturb.
     */
    public Lease lease(NodeAddress address) {
        Pooled[] leased = new Pooled[1];
        List<Pooled> closing = new ArrayList<>(0);
        long now = System.nanoTime();
        channels.compute(address, (key, existing) -> {
            List<Pooled> list = existing == null ? List.of() : existing;
            Pooled pick = null;
            for (Pooled p : list) {
                boolean spent = spent(p, now);
                if (p.failed() || spent && p.active == 0) {
                    closing.add(p);
                } else if (pick == null && !spent && p.active < CALLS_PER_CHANNEL) {
                    pick = p;
                }
            }
            if (!closing.isEmpty() || pick == null) {
                List<Pooled> kept = new ArrayList<>(list);
                kept.removeAll(closing);
                if (pick == null) {
                    pick = new Pooled(open(key));
                    kept.add(pick);
                    open.incrementAndGet();
                }
                list = List.copyOf(kept);
            }
            pick.active++;
            pick.calls++;
            pick.lastUsedNanos = now;
            leased[0] = pick;
            return list;
        });
        for (Pooled p : closing) {
            open.decrementAndGet();
            p.channel.shutdown();
        }
        if (open.get() > maxChannels) {
            closeLeastRecentlyUsed();
        }
        return new Lease(address, leased[0]);
    }

    /**
     * {@link #lease} without the container in between, for the per-request path: through the bean's proxy
     * every lease paid for the EJB invocation (security check, interceptor chain, transaction bookkeeping),
     * about a tenth of a small request's time on the request thread. The bean uses none of those services:
     * its concurrency and transactions are its own.
     */
    public Function<NodeAddress, Lease> leases() {
        return this::lease;
    }

    /** Timers for call deadlines; shut down with the pool. */
    public ScheduledExecutorService timers() {
        return timers;
    }

    public int openChannels() {
        return open.get();
    }

    public int maxChannels() {
        return maxChannels;
    }

    /** False once the pool's threads are gone: no call can be made or timed until the application restarts. */
    public boolean running() {
        return !timers.isShutdown() && !grpcThreads.isShutdown() && !callbacks.isShutdown();
    }

    @PreDestroy
    void stop() {
        timers.shutdownNow();
        List<Pooled> all = channels.values().stream().flatMap(List::stream).toList();
        all.forEach(p -> p.channel.shutdown());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Pooled p : all) {
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
        open.set(0);
        grpcThreads.shutdownNow();
        callbacks.shutdownNow();
    }

    private ManagedChannel open(NodeAddress address) {
        return OkHttpChannelBuilder.forAddress(address.socketHost(), address.port(), credentials)
                .executor(new CallbackThreads(callbacks))
                .offloadExecutor(grpcThreads)
                .transportExecutor(grpcThreads)
                .scheduledExecutorService(timers)
                .socketFactory(sockets)
                .userAgent("hydden-diagnostics")
                .flowControlWindow(FLOW_CONTROL_WINDOW)
                .build();
    }

    private void closeIdle() {
        long idleNanos = idleTimeout.toNanos();
        long now = System.nanoTime();
        for (NodeAddress address : channels.keySet()) {
            closeWhere(address, p -> p.active == 0 && (now - p.lastUsedNanos > idleNanos || spent(p, now)),
                    Integer.MAX_VALUE);
        }
    }

    private void closeLeastRecentlyUsed() {
        channels.entrySet().stream()
                .flatMap(e -> e.getValue().stream().filter(p -> p.active == 0).map(p -> Map.entry(e.getKey(), p)))
                .min(Comparator.comparingLong(e -> e.getValue().lastUsedNanos))
                .ifPresent(e -> closeWhere(e.getKey(), p -> p == e.getValue() && p.active == 0, 1));
    }

    /** Closes up to {@code most} of the address's channels that match, checked under the address's lock. */
    private void closeWhere(NodeAddress address, Predicate<Pooled> close, int most) {
        List<Pooled> closed = new ArrayList<>(0);
        channels.computeIfPresent(address, (key, list) -> {
            for (Pooled p : list) {
                if (closed.size() < most && close.test(p)) {
                    closed.add(p);
                }
            }
            if (closed.isEmpty()) {
                return list;
            }
            List<Pooled> kept = list.stream().filter(p -> !closed.contains(p)).toList();
            return kept.isEmpty() ? null : kept;
        });
        for (Pooled p : closed) {
            LOG.fine(() -> "closing channel to " + address);
            open.decrementAndGet();
            p.channel.shutdown();
        }
    }

    /** Whether the channel has carried all the calls, or lived as long, as a channel may. */
    private boolean spent(Pooled p, long now) {
        return p.calls >= callsPerConnection || now - p.openedNanos >= maxAgeNanos;
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

    private static final class Pooled {
        final ManagedChannel channel;
        final long openedNanos = System.nanoTime();
        int active;               // guarded by the map's compute on this channel's address
        int calls;                // leased in its life, guarded as active
        volatile long lastUsedNanos;

        Pooled(ManagedChannel channel) {
            this.channel = channel;
        }

        boolean failed() {
            return channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE;
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
                boolean[] retire = new boolean[1];
                channels.computeIfPresent(address, (k, list) -> {
                    if (list.contains(pooled)) {
                        long now = System.nanoTime();
                        pooled.active--;
                        pooled.lastUsedNanos = now;
                        retire[0] = pooled.active == 0 && spent(pooled, now);
                    }
                    return list;
                });
                // A spent channel takes no new calls, so once idle it stays idle.
                if (retire[0]) {
                    closeWhere(address, p -> p == pooled && p.active == 0, 1);
                }
            }
        }
    }
}
