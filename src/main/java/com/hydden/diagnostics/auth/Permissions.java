package com.hydden.diagnostics.auth;

import com.hydden.diagnostics.problem.Problem;
import com.hydden.diagnostics.problem.ProblemException;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Who may take what from where: the permissions policy in the file {@code diagnostics.auth.policy}, or, when
 * that is not set, the single rule that the role {@code diagnostics.auth.role} may take everything.
 *
 * <p>{@link #check} is the one entry point: every path that asks a node for a profile (one request, each item
 * of a bundle, each caller joining a shared run) checks each item through it.
 *
 * <p>The file is looked at on every check and re-read when its size, modification time or identity changed.
 * Unlike the API-token file, a file that broke while running keeps the last good policy: a half-edited policy
 * neither locks ops out nor widens anybody's access, and the readiness check says which line is wrong. At
 * startup a bad file stops the application.
 */
@ApplicationScoped
public class Permissions {

    static final String KEY = "diagnostics.auth.policy";
    private static final Logger LOG = Logger.getLogger(Permissions.class.getName());

    @Inject
    @ConfigProperty(name = KEY)
    Optional<String> file;

    @Inject
    Event<Refusal> refusals; // null in unit tests

    @Inject
    @ConfigProperty(name = AuthenticationFilter.ROLE_KEY)
    String role;

    private Path path;
    private volatile Loaded current;

    public Permissions() {
    }

    Permissions(Optional<Path> path, String role) {
        this.file = path.map(Path::toString);
        this.role = role;
        start();
    }

    @PostConstruct
    void start() {
        if (file.isEmpty()) {
            current = new Loaded(Policy.everythingFor(role), null, null);
            LOG.info(KEY + " is not set: the role " + role + " may take every profile from every node");
            return;
        }
        path = Path.of(file.get().strip());
        try {
            current = read(path);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(KEY + ": " + e.getMessage(), e);
        }
        LOG.info(() -> "loaded " + KEY + " (" + current.policy.grants().size() + " grants)");
    }

    void loadAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // observing startup creates the bean now, so a bad policy stops the deployment
    }

    /**
     * The grant that lets {@code caller} take {@code profile} from {@code node}, sampling {@code seconds}
     * (0 for a profile taken at once; any other value must be within the grant's max-seconds, whatever the
     * profile).
     *
     * @throws ProblemException 403 {@code permission-denied}, the body the gate sends; the reason is logged at FINE
     */
    public Grant check(Caller caller, String profile, String node, int seconds) {
        Policy.Decision decision = policy().decide(caller.roles(), profile, node, seconds);
        if (decision.grant().isPresent()) {
            return decision.grant().get();
        }
        LOG.fine(() -> "permission denied to '" + caller.name() + "' for " + profile + " from " + node
                + (seconds == 0 ? "" : " for " + seconds + " s") + ": " + decision.denial());
        if (refusals != null) {
            refusals.fire(Refusal.NOT_GRANTED);
        }
        throw denied();
    }

    /**
     * Whether {@code caller} holds a role the policy grants anything to; the gate lets nobody else in. (Public,
     * as every method the gate calls: a CDI proxy runs package-private methods on itself, not on the bean.)
     */
    public boolean admits(Caller caller) {
        return policy().namesAny(caller.roles());
    }

    /** The roles the policy grants anything to, for the gate's log line. */
    public String grantedRoles() {
        return String.join(",", policy().roles());
    }

    static ProblemException denied() {
        return Problem.of(Response.Status.FORBIDDEN, "permission-denied", AuthenticationFilter.PERMISSION_DENIED).exception();
    }

    /** The grants in use and the last reload's failure, for the readiness check. Looks at the file first. */
    public SourceState state() {
        if (path == null) {
            return SourceState.NOT_CONFIGURED;
        }
        Policy policy = policy();
        Loaded now = current;
        return new SourceState(true, policy.grants().size(), Optional.ofNullable(now.problem));
    }

    private Policy policy() {
        Loaded seen = current;
        if (path == null) {
            return seen.policy;
        }
        Object stamp = stampOrNull(path);
        if (Objects.equals(stamp, seen.stamp)) {
            return seen.policy; // unchanged since the last read, good or bad (a missing file stays missing)
        }
        synchronized (this) {
            if (current != seen) {
                return current.policy;
            }
            try {
                current = read(path);
                LOG.info(() -> "reloaded " + KEY + " (" + current.policy.grants().size() + " grants)");
            } catch (IOException | IllegalArgumentException e) {
                LOG.warning(() -> KEY + ": cannot reload, the last good policy (" + seen.policy.grants().size()
                        + " grants) stays in use until it is fixed: " + e.getMessage());
                current = new Loaded(seen.policy, stamp,
                        "cannot reload, the last good policy stays in use: " + e.getMessage());
            }
            return current.policy;
        }
    }

    static Loaded read(Path path) throws IOException {
        try {
            Object stamp = stamp(path);
            List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
            return new Loaded(Policy.parse(lines), stamp, null);
        } catch (NoSuchFileException | AccessDeniedException e) {
            // their own message is the bare path
            throw new IOException("cannot read " + path + ": "
                    + (e instanceof NoSuchFileException ? "no such file" : "permission denied"), e);
        } catch (MalformedInputException e) {
            throw new IOException("cannot read " + path + ": not UTF-8 text", e);
        }
    }

    private static Object stampOrNull(Path path) {
        try {
            return stamp(path);
        } catch (IOException e) {
            return null;
        }
    }

    private static Object stamp(Path path) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        return List.of(a.size(), a.lastModifiedTime(), String.valueOf(a.fileKey()));
    }

    /**
     * @param stamp   the file's stamp at the last read, good or bad
     * @param problem why the last read failed, null when it did not
     */
    record Loaded(Policy policy, Object stamp, String problem) {
    }
}
