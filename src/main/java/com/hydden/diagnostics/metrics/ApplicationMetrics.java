package com.hydden.diagnostics.metrics;

import com.hydden.diagnostics.audit.BundleEnded;
import com.hydden.diagnostics.audit.RequestEnded;
import com.hydden.diagnostics.auth.Refusal;
import com.hydden.diagnostics.cpu.CpuRuns;
import com.hydden.diagnostics.bundle.BundleItemEnded;
import com.hydden.diagnostics.grid.GridChannels;
import com.hydden.diagnostics.pprof.RequestLimits;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

/**
 * The application's metrics, served by the server at {@code /metrics}. Request facts arrive as events when a
 * request has ended ({@link RequestEnded}, fired with its audit line) or was refused at the gate
 * ({@link Refusal}); the gauges read the limits and the channel pool when scraped. Nothing here runs inside
 * a lock of the request path, and every tag value comes from a fixed set.
 */
@ApplicationScoped
public class ApplicationMetrics {

    static final String REQUESTS = "diagnostics.pprof.requests";
    static final String STREAMED = "diagnostics.pprof.streamed";
    static final String DURATION = "diagnostics.pprof.duration";
    static final String IN_FLIGHT = "diagnostics.pprof.in_flight";
    static final String CHANNELS = "diagnostics.grid.channels";
    static final String CPU_CALLERS = "diagnostics.pprof.cpu_callers";
    static final String AUTH_FAILURES = "diagnostics.auth.failures";
    static final String BUNDLES = "diagnostics.bundle.requests";
    static final String BUNDLE_STREAMED = "diagnostics.bundle.streamed";
    static final String BUNDLE_DURATION = "diagnostics.bundle.duration";
    static final String BUNDLE_ITEMS = "diagnostics.bundle.items";
    /** The profile tag of a request refused before its body named a profile. */
    static final String NO_PROFILE = "none";

    private static final Metadata REQUESTS_METADATA = Metadata.builder().withName(REQUESTS)
            .withDescription("pprof requests ended, by profile, HTTP status (none: no answer was sent) and outcome")
            .build();
    private static final Metadata STREAMED_METADATA = Metadata.builder().withName(STREAMED)
            .withDescription("profile bytes sent to clients in 200 answers, by profile")
            .withUnit(MetricUnits.BYTES).build();
    private static final Metadata DURATION_METADATA = Metadata.builder().withName(DURATION)
            .withDescription("pprof request time from arrival to the body's last byte, by profile")
            .withUnit(MetricUnits.NANOSECONDS).build(); // what a Timer records; served in seconds
    private static final Metadata IN_FLIGHT_METADATA = Metadata.builder().withName(IN_FLIGHT)
            .withDescription("pprof requests admitted whose node call is not over")
            .build();
    private static final Metadata CPU_CALLERS_METADATA = Metadata.builder().withName(CPU_CALLERS)
            .withDescription("callers on this instance in shared cpu runs (joined, started or waiting) not yet done")
            .build();
    private static final Metadata CHANNELS_METADATA = Metadata.builder().withName(CHANNELS)
            .withDescription("gRPC channels to grid nodes open now")
            .build();
    private static final Metadata AUTH_FAILURES_METADATA = Metadata.builder().withName(AUTH_FAILURES)
            .withDescription("requests refused by the authentication gate, by reason")
            .build();

    private static final Metadata BUNDLES_METADATA = Metadata.builder().withName(BUNDLES)
            .withDescription("bundle requests ended, by HTTP status (none: no answer was sent) and outcome")
            .build();
    private static final Metadata BUNDLE_STREAMED_METADATA = Metadata.builder().withName(BUNDLE_STREAMED)
            .withDescription("archive bytes sent to clients in 200 bundle answers")
            .withUnit(MetricUnits.BYTES).build();
    private static final Metadata BUNDLE_DURATION_METADATA = Metadata.builder().withName(BUNDLE_DURATION)
            .withDescription("bundle request time from arrival to the archive's last byte")
            .withUnit(MetricUnits.NANOSECONDS).build();
    private static final Metadata BUNDLE_ITEMS_METADATA = Metadata.builder().withName(BUNDLE_ITEMS)
            .withDescription("bundle items ended, by profile (or stats), the status the single endpoint would have"
                    + " answered (none: the bundle ended first) and outcome")
            .build();

    @Inject
    MetricRegistry registry;

    @Inject
    RequestLimits limits;

    @Inject
    GridChannels channels;

    @Inject
    CpuRuns cpuRuns;

    /** Looked up once per tag combination, then read without the registry. */
    private final Map<List<String>, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> streamed = new ConcurrentHashMap<>();
    private final Map<String, Timer> durations = new ConcurrentHashMap<>();
    private final Map<Refusal, Counter> refusals = new EnumMap<>(Refusal.class);
    private final Map<List<String>, Counter> bundles = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> bundleItems = new ConcurrentHashMap<>();

    @PostConstruct
    void register() {
        registry.gauge(IN_FLIGHT_METADATA, limits, RequestLimits::inFlight);
        registry.gauge(CHANNELS_METADATA, channels, GridChannels::openChannels);
        registry.gauge(CPU_CALLERS_METADATA, cpuRuns, CpuRuns::callers);
        // Every reason from the start, at 0, so a rate over the first refusal is a rate and not a gap.
        for (Refusal reason : Refusal.values()) {
            refusals.put(reason, registry.counter(AUTH_FAILURES_METADATA, new Tag("reason", reason.tag())));
        }
    }

    void registerAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // observing startup creates the bean now, so the gauges are there before the first request
    }

    void requestEnded(@Observes RequestEnded ended) {
        String profile = ended.profile() == null ? NO_PROFILE : ended.profile();
        String status = ended.status() == 0 ? "none" : Integer.toString(ended.status());
        List<String> key = List.of(profile, status, ended.outcome());
        Counter counter = requests.get(key);
        if (counter == null) {
            counter = requests.computeIfAbsent(key, k -> registry.counter(REQUESTS_METADATA,
                    new Tag("profile", profile), new Tag("status", status), new Tag("outcome", ended.outcome())));
        }
        counter.inc();
        if (ended.status() == 200) {
            streamed.computeIfAbsent(profile, p -> registry.counter(STREAMED_METADATA, new Tag("profile", p)))
                    .inc(ended.bytes());
        }
        durations.computeIfAbsent(profile, p -> registry.timer(DURATION_METADATA, new Tag("profile", p)))
                .update(ended.duration());
    }

    void bundleEnded(@Observes BundleEnded ended) {
        String status = ended.status() == 0 ? "none" : Integer.toString(ended.status());
        bundles.computeIfAbsent(List.of(status, ended.outcome()), k -> registry.counter(BUNDLES_METADATA,
                new Tag("status", status), new Tag("outcome", ended.outcome()))).inc();
        if (ended.status() == 200) {
            registry.counter(BUNDLE_STREAMED_METADATA).inc(ended.bytes());
        }
        registry.timer(BUNDLE_DURATION_METADATA).update(ended.duration());
    }

    void bundleItemEnded(@Observes BundleItemEnded ended) {
        String status = ended.status() == 0 ? "none" : Integer.toString(ended.status());
        bundleItems.computeIfAbsent(List.of(ended.profile(), status, ended.outcome()),
                k -> registry.counter(BUNDLE_ITEMS_METADATA, new Tag("profile", ended.profile()),
                        new Tag("status", status), new Tag("outcome", ended.outcome()))).inc();
    }

    void refused(@Observes Refusal reason) {
        refusals.get(reason).inc();
    }

    /**
     * The gauges hold this deployment's beans: remove them with it, so a redeployed application registers its
     * own rather than finding the stopped one's.
     */
    @PreDestroy
    void unregister() {
        registry.removeMatching((id, metric) -> id.getName().startsWith("diagnostics."));
    }
}
