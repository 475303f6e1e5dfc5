package com.hydden.diagnostics.auth;

import jakarta.security.enterprise.credential.Credential;

/** A bearer secret as presented: a JWT or an API token. Never printed. */
final class TokenCredential implements Credential {

    private final String token;

    TokenCredential(String token) {
        this.token = token;
    }

    String token() {
        return token;
    }

    @Override
    public String toString() {
        return "TokenCredential[redacted]";
    }
}
