package com.hydden.diagnostics.audit;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.spi.JsonProvider;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the audit trail says about one pprof request, filled in by whoever learns a part of it (the filters,
 * the resource, the body writer) and written once, as one JSON line, when the request has ended (by the
 * {@link AuditTrail}, off the request's thread).
 *
 * <p>It holds no credential by construction: the caller comes from the request's security context, never
 * from a header. Once written, its facts are also handed on as a {@link RequestEnded}, for the metrics.
 */
public final class AuditRecord {

    /** The logger the trail is written to; route it with the server's logging configuration. */
    public static final String LOGGER = "diagnostics.audit";
    static final String PROPERTY = AuditRecord.class.getName();
    private static final Logger LOG = Logger.getLogger(AuditRecord.class.getName());
    // Json.createObjectBuilder looks the provider up on every call (a service-loader scan of the class path).
    private static final JsonProvider JSON = JsonProvider.provider();

    private final Instant time = Instant.now();
    private final long startNanos = System.nanoTime();
    private final String requestId;
    private final String method;
    private final String clientIp;
    private final AuditTrail trail;
    private final Consumer<RequestEnded> ended; // null: detached, never written
    private final AtomicBoolean written = new AtomicBoolean();

    private final String bundle;  // the bundle's ID: its own for a bundle, its bundle's for an item, else null
    private volatile String caller;
    private volatile String scheme;
    private volatile String node;
    private volatile String module;
    private volatile String profile;
    private volatile Integer seconds;
    private volatile JsonObject grant;
    private volatile int status;
    private volatile boolean transferAborted;
    private volatile boolean tooSlow;
    private volatile String run;
    private volatile Boolean shared;
    private volatile Integer sharedBy;
    private volatile boolean clientDisconnected;

    AuditRecord(String method, String clientIp, AuditTrail trail, Consumer<RequestEnded> ended) {
        this(UUID.randomUUID().toString(), method, clientIp, trail, ended, null);
    }

    /** The record of a bundle request: its own ID is the bundle's. */
    static AuditRecord ofBundle(String method, String clientIp, AuditTrail trail, Consumer<RequestEnded> ended) {
        String id = UUID.randomUUID().toString();
        return new AuditRecord(id, method, clientIp, trail, ended, id);
    }

    private AuditRecord(String requestId, String method, String clientIp, AuditTrail trail,
                        Consumer<RequestEnded> ended, String bundle) {
        this.requestId = requestId;
        this.trail = trail;
        this.method = method;
        this.clientIp = clientIp;
        this.ended = ended;
        this.bundle = bundle;
    }

    /** The record of this request; a detached one, never written, when the request is not audited. */
    public static AuditRecord of(ContainerRequestContext request) {
        return of(request::getProperty);
    }

    static AuditRecord of(Function<String, Object> properties) {
        return properties.apply(PROPERTY) instanceof AuditRecord r ? r : new AuditRecord(null, null, null, null);
    }

    /** What was asked for; {@code seconds}: the cpu sampling time or a delta profile's window, 0 for a snapshot. */
    public void asked(String node, String module, String profile, int seconds) {
        this.node = node;
        this.module = module;
        this.profile = profile;
        this.seconds = seconds;
    }

    /** The permissions allowed the request by this grant: its role, profiles and nodes as the policy line has them. */
    public void granted(String role, String profiles, String nodes) {
        this.grant = JSON.createObjectBuilder().add("role", role).add("profiles", profiles).add("nodes", nodes).build();
    }

    /**
     * A new record for one item of the bundle this record is about: an ID of its own, this record's ID as its
     * bundle, the caller from {@code security}. Written by {@link #finished}; its facts go to {@code ended}.
     */
    public AuditRecord item(SecurityContext security, Consumer<RequestEnded> ended) {
        AuditRecord item = new AuditRecord(UUID.randomUUID().toString(), method, clientIp, trail,
                this.ended == null ? null : ended, requestId);
        Principal principal = security == null ? null : security.getUserPrincipal();
        if (principal != null) {
            item.caller(principal.getName(), security.getAuthenticationScheme());
        }
        return item;
    }

    /** The ID a bundle's items and manifest carry: this record's own. */
    public String bundleId() {
        return requestId;
    }

    /** An item's end: its status (the one the single endpoint would have answered), size, digest and outcome. */
    public void finished(int status, Long bytes, byte[] sha256, String outcome) {
        if (written.get()) {
            return;
        }
        this.status = status;
        write(bytes, sha256, outcome);
    }

    /** The client hung up before the body's end, noticed while nothing was being written to it. */
    public void clientDisconnected() {
        this.clientDisconnected = true;
    }

    /** The 200 body stopped before its end (the node failed) and the connection was cut. */
    public void transferAborted() {
        this.transferAborted = true;
    }

    /** The cpu run that served this request, whether it joined (or waited for) the run, and how many it served. */
    public void run(String runId, boolean joined, int servedCallers) {
        this.run = runId;
        this.shared = joined;
        this.sharedBy = servedCallers;
    }

    /** The caller fell too far behind the other callers of its cpu run and the connection was cut. */
    public void tooSlow() {
        this.tooSlow = true;
    }

    /** The request ended without an answer being written (it was over before the node's answer came). */
    public void unanswered() {
        write(null, null, "unanswered");
    }

    String requestId() {
        return requestId;
    }

    void caller(String caller, String scheme) {
        this.caller = caller;
        this.scheme = scheme;
    }

    void status(int status) {
        this.status = status;
    }

    int status() {
        return status;
    }

    /**
     * Writes the line; later calls do nothing.
     *
     * @param bytes  the entity bytes sent, null when unknown
     * @param sha256 their digest, only for a 200
     */
    void write(Long bytes, byte[] sha256, String outcome) {
        if (ended == null || !written.compareAndSet(false, true)) {
            return;
        }
        Duration duration = Duration.ofNanos(System.nanoTime() - startNanos);
        String end = !outcome.equals("complete") ? outcome : tooSlow ? "too-slow"
                : clientDisconnected ? "client-disconnected" : transferAborted ? "aborted" : outcome;
        trail.write(() -> toJson(bytes, sha256, end, duration));
        try {
            ended.accept(new RequestEnded(profile, status, end, bytes == null ? 0 : bytes, duration));
        } catch (RuntimeException e) {
            // counting must never change how a request ends
            LOG.log(Level.WARNING, "cannot count the ended request " + requestId, e);
        }
    }

    String toJson(Long bytes, byte[] sha256, String outcome, Duration duration) {
        JsonObjectBuilder json = JSON.createObjectBuilder()
                .add("time", time.toString())
                .add("requestId", requestId);
        add(json, "bundle", bundle);
        add(json, "method", method);
        add(json, "caller", caller);
        add(json, "scheme", scheme);
        add(json, "clientIp", clientIp);
        add(json, "node", node);
        add(json, "module", module);
        add(json, "profile", profile);
        if (seconds == null) {
            json.addNull("seconds");
        } else {
            json.add("seconds", seconds);
        }
        if (grant == null) {
            json.addNull("grant");
        } else {
            json.add("grant", grant);
        }
        if (status == 0) {
            json.addNull("status");
        } else {
            json.add("status", status);
        }
        if (bytes == null) {
            json.addNull("bytes");
        } else {
            json.add("bytes", bytes);
        }
        add(json, "run", run);
        if (shared == null) {
            json.addNull("shared");
            json.addNull("sharedBy");
        } else {
            json.add("shared", shared);
            json.add("sharedBy", sharedBy);
        }
        json.add("durationMs", duration.toMillis());
        add(json, "sha256", sha256 == null ? null : HexFormat.of().formatHex(sha256));
        json.add("outcome", outcome);
        return json.build().toString();
    }

    private static void add(JsonObjectBuilder json, String name, String value) {
        if (value == null) {
            json.addNull(name);
        } else {
            json.add(name, value);
        }
    }
}
