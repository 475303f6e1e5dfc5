package com.hydden.diagnostics.auth;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may use the login cookie. A browser names the page that made a request in
 * {@code Origin}; a request carrying the cookie from a page of another site is refused, so that site cannot
 * make a logged-in browser take profiles. With no list configured, only pages of the host the request was
 * sent to count.
 */
final class AllowedOrigins {

    static final String KEY = "diagnostics.auth.allowed-origins";

    private final Set<String> origins;

    private AllowedOrigins(Set<String> origins) {
        this.origins = origins;
    }

    /** @throws IllegalArgumentException naming the key, for an entry that is not {@code scheme://host[:port]} */
    static AllowedOrigins parse(Optional<String> config) {
        Set<String> origins = Arrays.stream(config.orElse("").split(","))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .map(s -> normalize(s).orElseThrow(() -> new IllegalArgumentException(
                        KEY + ": '" + s + "' is not an origin (http or https://host[:port], nothing after it)")))
                .collect(Collectors.toUnmodifiableSet());
        return new AllowedOrigins(origins);
    }

    /**
     * @param origin the request's {@code Origin} header, null when there is none (not a cross-site browser request)
     * @param host   the request's {@code Host} header
     */
    boolean allows(String origin, String host) {
        if (origin == null) {
            return true;
        }
        Optional<String> normalized = normalize(origin.strip());
        if (normalized.isEmpty()) {
            return false; // includes "null", sent by sandboxed and privacy-sensitive contexts
        }
        if (!origins.isEmpty()) {
            return origins.contains(normalized.get());
        }
        if (host == null || host.isBlank()) {
            return false;
        }
        String scheme = normalized.get().substring(0, normalized.get().indexOf(':'));
        return normalize(scheme + "://" + host.strip()).equals(normalized);
    }

    /** {@code scheme://host:port} in lower case with the port always given, or empty when not an origin. */
    static Optional<String> normalize(String origin) {
        try {
            URI uri = new URI(origin);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null
                    || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                    || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
                return Optional.empty();
            }
            int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port);
        } catch (URISyntaxException notAUri) {
            return Optional.empty();
        }
    }
}
