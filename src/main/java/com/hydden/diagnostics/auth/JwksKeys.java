package com.hydden.diagnostics.auth;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * The JWT verification keys, from a JWKS file or an https URL. The set is replaced, never edited, so the
 * one {@code JwtConsumer} that holds this resolver sees rotations without being rebuilt.
 *
 * <p>A token whose key is not in the set triggers a reload: a file is re-read only when it changed on disk
 * (size, modification time or identity), a URL is fetched at most once per {@link #MIN_REFRESH_INTERVAL}, so
 * a flood of unknown {@code kid}s cannot hammer the key server. A failed reload keeps the previous keys.
 */
final class JwksKeys implements VerificationKeyResolver {

    static final String KEY = "diagnostics.auth.jwt.jwks";
    static final String TRUST_KEY = "diagnostics.auth.jwt.jwks.trust";
    static final Duration MIN_REFRESH_INTERVAL = Duration.ofMinutes(1);
    static final int MAX_JWKS_BYTES = 1024 * 1024;
    private static final int HTTP_TIMEOUT_MILLIS = 10_000;
    private static final Logger LOG = Logger.getLogger(JwksKeys.class.getName());

    private final Source source;
    private final LongSupplier nanoClock;
    private volatile JwksVerificationKeyResolver keys;
    private volatile int keyCount;
    private volatile String reloadProblem; // why the last reload failed; null after a good one
    private long lastFetchNanos;
    private boolean fetched;

    private JwksKeys(Source source, LongSupplier nanoClock) throws IOException {
        this.source = source;
        this.nanoClock = nanoClock;
        replaceKeys(source.read());
    }

    /**
     * Loads the keys now, so an unreadable location stops the application at startup.
     *
     * @throws IllegalArgumentException naming the configuration key
     */
    static JwksKeys load(String location, Optional<String> trustPem) {
        return load(location, trustPem, System::nanoTime);
    }

    static JwksKeys load(String location, Optional<String> trustPem, LongSupplier nanoClock) {
        Source source;
        if (location.regionMatches(true, 0, "https://", 0, 8)) {
            source = new UrlSource(url(location), sslSocketFactory(trustPem));
        } else if (location.matches("(?i)[a-z][a-z0-9+.-]*://.*")) {
            throw new IllegalArgumentException(KEY + ": must be a file path or an https URL, is " + location);
        } else {
            if (trustPem.isPresent()) {
                throw new IllegalArgumentException(TRUST_KEY + ": applies only to an https " + KEY);
            }
            source = new FileSource(Path.of(location));
        }
        try {
            return new JwksKeys(source, nanoClock);
        } catch (IOException e) {
            throw new IllegalArgumentException(KEY + ": cannot load the keys from " + location + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Key resolveKey(JsonWebSignature jws, List<JsonWebStructure> nestingContext) throws UnresolvableKeyException {
        JwksVerificationKeyResolver current = keys;
        try {
            return current.resolveKey(jws, nestingContext);
        } catch (UnresolvableKeyException unknown) {
            if (!reload(current)) {
                throw unknown;
            }
            return keys.resolveKey(jws, nestingContext);
        }
    }

    /** True when the set may have changed since {@code seen}. */
    private synchronized boolean reload(JwksVerificationKeyResolver seen) {
        if (keys != seen) {
            return true; // another request reloaded meanwhile
        }
        if (!source.mayHaveChanged(this)) {
            return false;
        }
        try {
            replaceKeys(source.read());
            reloadProblem = null;
            LOG.info(() -> "reloaded the JWT verification keys from " + source);
            return true;
        } catch (IOException | RuntimeException e) {
            reloadProblem = "the last reload failed, the previous keys are in use: " + e.getMessage();
            LOG.warning(() -> "cannot reload the JWT verification keys from " + source + ", keeping the previous ones: "
                    + e.getMessage());
            return false;
        }
    }

    /** How many keys are in use, and why the last reload failed if it did. */
    SourceState state() {
        return new SourceState(true, keyCount, Optional.ofNullable(reloadProblem));
    }

    private void replaceKeys(String json) throws IOException {
        List<JsonWebKey> verificationKeys = verificationKeys(json);
        JwksVerificationKeyResolver resolver = new JwksVerificationKeyResolver(verificationKeys);
        resolver.setDisambiguateWithVerifySignature(true); // tokens without kid, several keys of one type
        keys = resolver;
        keyCount = verificationKeys.size();
    }

    /** For a URL: whether the rate limit allows a fetch now; records the fetch. Guarded by this. */
    private boolean fetchAllowed() {
        long now = nanoClock.getAsLong();
        if (fetched && now - lastFetchNanos < MIN_REFRESH_INTERVAL.toNanos()) {
            return false;
        }
        fetched = true;
        lastFetchNanos = now;
        return true;
    }

    private static List<JsonWebKey> verificationKeys(String json) throws IOException {
        List<JsonWebKey> verificationKeys;
        try {
            // Only public asymmetric keys: an "oct" key in the set must never verify anything.
            verificationKeys = new JsonWebKeySet(json).getJsonWebKeys().stream()
                    .filter(k -> k instanceof PublicJsonWebKey)
                    .filter(k -> k.getUse() == null || k.getUse().equals("sig"))
                    .toList();
        } catch (JoseException | RuntimeException e) {
            throw new IOException("not a JSON Web Key Set (" + e.getClass().getSimpleName() + ")");
        }
        if (verificationKeys.isEmpty()) {
            throw new IOException("the set holds no public RSA, EC or OKP signature key");
        }
        return verificationKeys;
    }

    private static URL url(String location) {
        try {
            URI uri = URI.create(location);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
            return uri.toURL();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(KEY + ": not a valid https URL: " + location);
        }
    }

    private static SSLSocketFactory sslSocketFactory(Optional<String> trustPem) {
        if (trustPem.isEmpty()) {
            return HttpsURLConnection.getDefaultSSLSocketFactory();
        }
        try (InputStream in = Files.newInputStream(Path.of(trustPem.get()))) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int n = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + n++, cert);
            }
            if (n == 0) {
                throw new IOException("no certificate in the file");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            return tls.getSocketFactory();
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException(TRUST_KEY + ": cannot load PEM certificates from " + trustPem.get()
                    + ": " + e.getMessage(), e);
        }
    }

    private interface Source {
        String read() throws IOException;

        boolean mayHaveChanged(JwksKeys keys);
    }

    private static final class FileSource implements Source {
        private final Path path;
        private Object seen; // size, mtime and file identity at the last read

        FileSource(Path path) {
            this.path = path;
        }

        @Override
        public String read() throws IOException {
            try {
                Object before = stamp();
                if (Files.size(path) > MAX_JWKS_BYTES) {
                    throw new IOException("larger than " + MAX_JWKS_BYTES + " bytes");
                }
                String json = Files.readString(path, StandardCharsets.UTF_8);
                seen = before;
                return json;
            } catch (NoSuchFileException | AccessDeniedException e) {
                // their own message is the bare path, which the caller's message already names
                throw new IOException(e instanceof NoSuchFileException ? "no such file" : "permission denied", e);
            }
        }

        @Override
        public boolean mayHaveChanged(JwksKeys keys) {
            try {
                return !Objects.equals(seen, stamp());
            } catch (IOException e) {
                return true; // let the read report it
            }
        }

        private Object stamp() throws IOException {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return List.of(a.size(), a.lastModifiedTime(), String.valueOf(a.fileKey()));
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    private static final class UrlSource implements Source {
        private final URL url;
        private final SSLSocketFactory tls;

        UrlSource(URL url, SSLSocketFactory tls) {
            this.url = url;
            this.tls = tls;
        }

        @Override
        public String read() throws IOException {
            HttpsURLConnection http = (HttpsURLConnection) url.openConnection();
            try {
                http.setSSLSocketFactory(tls);
                http.setConnectTimeout(HTTP_TIMEOUT_MILLIS);
                http.setReadTimeout(HTTP_TIMEOUT_MILLIS);
                http.setInstanceFollowRedirects(false);
                http.setUseCaches(false);
                http.setRequestProperty("Accept", "application/jwk-set+json, application/json");
                int status = http.getResponseCode();
                if (status != HttpURLConnection.HTTP_OK) {
                    throw new IOException("HTTP status " + status);
                }
                try (InputStream in = http.getInputStream()) {
                    byte[] body = in.readNBytes(MAX_JWKS_BYTES + 1);
                    if (body.length > MAX_JWKS_BYTES) {
                        throw new IOException("larger than " + MAX_JWKS_BYTES + " bytes");
                    }
                    return new String(body, StandardCharsets.UTF_8);
                }
            } finally {
                http.disconnect();
            }
        }

        @Override
        public boolean mayHaveChanged(JwksKeys keys) {
            return keys.fetchAllowed();
        }

        @Override
        public String toString() {
            return url.toString();
        }
    }
}
