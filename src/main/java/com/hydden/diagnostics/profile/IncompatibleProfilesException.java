package com.hydden.diagnostics.profile;

/**
 * Two profiles that cannot be subtracted: their sample types or period types differ. The message says how,
 * in the profiles' own words (type and unit names), and is fit to show to a caller.
 */
public final class IncompatibleProfilesException extends Exception {

    public IncompatibleProfilesException(String message) {
        super(message, null, false, false);
    }
}
