package com.hydden.diagnostics.auth;

/**
 * Why the gate refused a request, fired as a CDI event once per refusal. A fixed set, so whoever counts
 * refusals by reason never counts anything a caller wrote.
 */
public enum Refusal {
    /** Neither an {@code Authorization} header nor the JWT cookie. */
    NO_CREDENTIAL,
    /** An {@code Authorization} header with a scheme other than Bearer. */
    NOT_BEARER,
    /** A JWT, by bearer or cookie, that is not valid. */
    INVALID_JWT,
    /** A bearer token that is not a JWT and not a listed API token. */
    INVALID_API_TOKEN,
    /** A valid cookie sent from a page of a foreign origin. */
    FOREIGN_ORIGIN,
    /** A valid caller without the diagnostics role. */
    MISSING_ROLE;

    /** The reason as a metric tag value: {@code invalid-jwt}. */
    public String tag() {
        return name().toLowerCase().replace('_', '-');
    }
}
