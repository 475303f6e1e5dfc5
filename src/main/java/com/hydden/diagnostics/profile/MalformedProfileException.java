package com.hydden.diagnostics.profile;

import java.io.IOException;

/** Bytes that are not a pprof profile, or a profile whose references do not hold. */
public final class MalformedProfileException extends IOException {

    public MalformedProfileException(String message) {
        super(message);
    }

    public MalformedProfileException(String message, Throwable cause) {
        super(message, cause);
    }
}
