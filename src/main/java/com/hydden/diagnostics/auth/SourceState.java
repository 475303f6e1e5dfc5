package com.hydden.diagnostics.auth;

import java.util.Optional;

/**
 * What a credential source (the JWKS, the API-token file) holds now, for the readiness check: how many keys or
 * tokens, and what is wrong. Never a key, token or hash.
 *
 * @param configured whether its configuration key is set
 * @param loaded     keys or tokens in use
 * @param problem    what is wrong with it now, if anything
 */
public record SourceState(boolean configured, int loaded, Optional<String> problem) {

    static final SourceState NOT_CONFIGURED = new SourceState(false, 0, Optional.empty());
}
