package com.hydden.diagnostics.auth;

/**
 * Why the gate, or the permissions behind it, refused a request, fired as a CDI event once per refusal. A fixed set, so whoever counts
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
    /** A valid caller holding no role the permissions grant anything to (the diagnostics role without a policy). */
    MISSING_ROLE,
    /** A caller whose grants do not cover the profile, node or seconds asked for (checked after the gate). */
    NOT_GRANTED;

    /** The reason as a metric tag value: {@code invalid-jwt}. */
    public String tag() {
        return name().toLowerCase().replace('_', '-');
    }
}
