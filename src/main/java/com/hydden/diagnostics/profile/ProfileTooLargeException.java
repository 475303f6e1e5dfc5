package com.hydden.diagnostics.profile;

import java.io.IOException;

/** A profile that is, or would decompress to, more than the bytes allowed. */
public final class ProfileTooLargeException extends IOException {

    private final long maxBytes;

    public ProfileTooLargeException(long maxBytes) {
        super("the profile is larger than " + maxBytes + " bytes", null);
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }
}
