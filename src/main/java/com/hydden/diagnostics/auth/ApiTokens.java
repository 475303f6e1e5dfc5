package com.hydden.diagnostics.auth;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.security.enterprise.CallerPrincipal;
import jakarta.security.enterprise.credential.Credential;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import jakarta.security.enterprise.identitystore.IdentityStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * API tokens for automation, from a file of {@code name sha256-hex roles} lines ({@code #} starts a comment,
 * roles are comma-separated and may be left out). The file holds only SHA-256 hashes, so reading it gives
 * nobody a token.
 *
 * <p>The file is checked on every use and re-read when its size, modification time or identity changed, so a
 * removed line revokes its token on the next request. A file that became unreadable or invalid revokes every
 * token until it is fixed (a half-edited file must not keep a revoked token alive); at startup it stops the
 * application instead.
 */
@ApplicationScoped
public class ApiTokens implements IdentityStore {

    static final String KEY = "diagnostics.auth.api-tokens";
    private static final Logger LOG = Logger.getLogger(ApiTokens.class.getName());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,128}");
    private static final Pattern HASH = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    @Inject
    @ConfigProperty(name = KEY)
    Optional<String> file;

    private Path path;
    private volatile Snapshot current = new Snapshot(null, List.of(), null);

    public ApiTokens() {
    }

    ApiTokens(Path path) {
        this.file = Optional.of(path.toString());
        start();
    }

    @PostConstruct
    void start() {
        if (file.isEmpty()) {
            LOG.info(KEY + " is not set: no API token is accepted");
            return;
        }
        path = Path.of(file.get().strip());
        try {
            current = read(path);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(KEY + ": " + e.getMessage(), e);
        }
    }

    void loadAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started) {
        // observing startup creates the bean now, so a bad configuration stops the deployment
    }

    @Override
    public Set<ValidationType> validationTypes() {
        return Set.of(ValidationType.VALIDATE);
    }

    @Override
    public CredentialValidationResult validate(Credential credential) {
        if (!(credential instanceof TokenCredential presented)) {
            return CredentialValidationResult.NOT_VALIDATED_RESULT;
        }
        byte[] hash = sha256(presented.token());
        Entry match = null;
        for (Entry entry : snapshot().entries) {
            // Every entry is compared, each in constant time: the answer's timing says nothing about the hashes.
            if (MessageDigest.isEqual(hash, entry.sha256) && match == null) {
                match = entry;
            }
        }
        if (match == null) {
            LOG.fine("API token refused: not in " + KEY);
            return CredentialValidationResult.INVALID_RESULT;
        }
        return new CredentialValidationResult(new CallerPrincipal(match.name), match.roles);
    }

    /**
     * The tokens in use, for the readiness check. Looks at the file as a request would, so a file that broke
     * shows here before the next API-token request.
     */
    public SourceState state() {
        if (path == null) {
            return SourceState.NOT_CONFIGURED;
        }
        Snapshot now = snapshot();
        return new SourceState(true, now.entries.size(), Optional.ofNullable(now.problem));
    }

    private Snapshot snapshot() {
        Snapshot seen = current;
        if (path == null) {
            return seen;
        }
        Object stamp;
        try {
            stamp = stamp(path);
        } catch (IOException e) {
            stamp = null;
        }
        if (stamp != null && Objects.equals(stamp, seen.stamp)) {
            return seen;
        }
        synchronized (this) {
            if (current != seen) {
                return current;
            }
            try {
                current = read(path);
                LOG.info(() -> "reloaded " + KEY + " (" + current.entries.size() + " tokens)");
            } catch (IOException | IllegalArgumentException e) {
                LOG.warning(() -> KEY + ": cannot reload, refusing every API token until it is fixed: " + e.getMessage());
                current = new Snapshot(stamp, List.of(),
                        "cannot reload, every API token is refused until it is fixed: " + e.getMessage());
            }
            return current;
        }
    }

    static Snapshot read(Path path) throws IOException {
        try {
            Object stamp = stamp(path);
            List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
            return new Snapshot(stamp, parse(lines), null);
        } catch (NoSuchFileException | AccessDeniedException e) {
            // their own message is the bare path
            throw new IOException("cannot read " + path + ": "
                    + (e instanceof NoSuchFileException ? "no such file" : "permission denied"), e);
        }
    }

    static List<Entry> parse(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (content.isEmpty()) {
                continue;
            }
            String[] fields = content.split("\\s+");
            int lineNumber = i + 1;
            if (fields.length < 2 || fields.length > 3) {
                throw invalid(lineNumber, "expected 'name sha256-hex roles'");
            }
            if (!NAME.matcher(fields[0]).matches()) {
                throw invalid(lineNumber, "the name must be 1-128 characters of A-Z a-z 0-9 . _ @ -");
            }
            if (!HASH.matcher(fields[1]).matches()) {
                throw invalid(lineNumber, "the second field must be the token's SHA-256 as 64 hex digits");
            }
            Set<String> roles = new LinkedHashSet<>();
            if (fields.length == 3) {
                for (String role : fields[2].split(",")) {
                    if (!ROLE.matcher(role).matches()) {
                        throw invalid(lineNumber, "roles must be a comma-separated list of A-Z a-z 0-9 . _ : -");
                    }
                    roles.add(role);
                }
            }
            if (!names.add(fields[0])) {
                throw invalid(lineNumber, "the name '" + fields[0] + "' appears twice");
            }
            if (!hashes.add(fields[1].toLowerCase())) {
                throw invalid(lineNumber, "the same token hash appears twice");
            }
            entries.add(new Entry(fields[0], HexFormat.of().parseHex(fields[1].toLowerCase()), roles));
        }
        return List.copyOf(entries);
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object stamp(Path path) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        return List.of(a.size(), a.lastModifiedTime(), String.valueOf(a.fileKey()));
    }

    private static IllegalArgumentException invalid(int line, String why) {
        return new IllegalArgumentException("line " + line + ": " + why);
    }

    record Entry(String name, byte[] sha256, Set<String> roles) {
        Entry {
            roles = Set.copyOf(roles);
        }

        @Override
        public String toString() {
            return "Entry[" + name + ", roles=" + roles + "]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && name.equals(e.name) && Arrays.equals(sha256, e.sha256) && roles.equals(e.roles);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }
    }

    /** @param problem why the file could not be used, null when it could */
    record Snapshot(Object stamp, List<Entry> entries, String problem) {
    }
}
