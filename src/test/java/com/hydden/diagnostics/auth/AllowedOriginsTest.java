package com.hydden.diagnostics.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AllowedOriginsTest {

    @Test
    void noList_allowsOnlyTheRequestedHost() {
        AllowedOrigins sameHost = AllowedOrigins.parse(Optional.empty());
        assertTrue(sameHost.allows(null, "api.example.com"));
        assertTrue(sameHost.allows("https://api.example.com", "api.example.com"));
        assertTrue(sameHost.allows("https://API.example.com:443", "api.example.com"));
        assertTrue(sameHost.allows("http://localhost:8080", "localhost:8080"));
        assertFalse(sameHost.allows("http://localhost:8081", "localhost:8080"));
        assertFalse(sameHost.allows("https://evil.example", "api.example.com"));
        assertFalse(sameHost.allows("https://api.example.com.evil.example", "api.example.com"));
        assertFalse(sameHost.allows("null", "api.example.com"));
        assertFalse(sameHost.allows("https://api.example.com", null));
    }

    @Test
    void list_allowsExactlyItsOrigins() {
        AllowedOrigins list = AllowedOrigins.parse(Optional.of(" https://portal.example.com , http://localhost:3000/"));
        assertTrue(list.allows("https://portal.example.com", "api.example.com"));
        assertTrue(list.allows("https://portal.example.com:443", "api.example.com"));
        assertTrue(list.allows("http://localhost:3000", "api.example.com"));
        assertFalse(list.allows("http://portal.example.com", "api.example.com"));
        assertFalse(list.allows("https://api.example.com", "api.example.com"));
        assertFalse(list.allows("ftp://portal.example.com", "api.example.com"));
    }

    @Test
    void notAnOrigin_failsNamingTheKey() {
        for (String bad : new String[]{"portal.example.com", "https://portal.example.com/app", "ftp://x", "https://"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AllowedOrigins.parse(Optional.of(bad)), bad);
            assertTrue(e.getMessage().startsWith("diagnostics.auth.allowed-origins: "), e.getMessage());
        }
    }
}
