package com.hydden.diagnostics.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The grid keys that are checked when the application starts, each failing with a message naming it. */
class GridConfigurationTest {

    @ParameterizedTest
    @ValueSource(strings = {"true", "TRUE", " false "})
    void tls_isTrueOrFalse(String value) {
        assertEquals(value.strip().equalsIgnoreCase("true"), GridChannels.tls(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ture", "yes", "1", "on", ""})
    void tls_otherWords_failNamingTheKey(String value) {
        // MicroProfile Config's own boolean conversion would read these as false: plaintext by a typo.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GridChannels.tls(value));
        assertTrue(e.getMessage().startsWith("diagnostics.grid.tls: must be true or false"), e.getMessage());
    }

    @Test
    void tlsFilesWithoutTls_failNamingTheKeys() {
        GridChannels channels = new GridChannels();
        channels.idleTimeout = Duration.ofMinutes(10);
        channels.maxChannels = 10;
        channels.connectTimeout = Duration.ofSeconds(5);
        channels.tlsConfig = "false";
        channels.tlsTrust = Optional.of("/etc/ssl/grid-ca.pem");
        channels.tlsCert = Optional.empty();
        channels.tlsKey = Optional.empty();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, channels::start);
        assertTrue(e.getMessage().startsWith("diagnostics.grid.tls.trust, .cert and .key apply only when"),
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT0S", "-PT1S"})
    void timeoutsNotPositive_failNamingTheKey(String value) {
        NodeCalls calls = new NodeCalls();
        calls.timeout = Duration.parse(value);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, calls::check);
        assertTrue(e.getMessage().startsWith("diagnostics.grid.timeout: must be a positive duration"), e.getMessage());

        GridChannels channels = new GridChannels();
        channels.idleTimeout = Duration.ofMinutes(10);
        channels.maxChannels = 10;
        channels.connectTimeout = Duration.parse(value);
        e = assertThrows(IllegalArgumentException.class, channels::start);
        assertTrue(e.getMessage().startsWith("diagnostics.grid.connect-timeout: must be a positive duration"),
                e.getMessage());
    }

    @Test
    void idleTimeoutOrMaxChannelsOutOfRange_failNamingTheKey() {
        GridChannels channels = new GridChannels();
        channels.tlsConfig = "false";
        channels.tlsTrust = Optional.empty();
        channels.tlsCert = Optional.empty();
        channels.tlsKey = Optional.empty();
        channels.maxChannels = 10;
        channels.connectTimeout = Duration.ofSeconds(5);
        channels.idleTimeout = Duration.ofSeconds(-5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, channels::start);
        assertTrue(e.getMessage().startsWith("diagnostics.grid.idle-timeout:"), e.getMessage());

        channels.idleTimeout = Duration.ofMinutes(10);
        channels.maxChannels = 0;
        e = assertThrows(IllegalArgumentException.class, channels::start);
        assertTrue(e.getMessage().startsWith("diagnostics.grid.max-channels:"), e.getMessage());
    }
}
