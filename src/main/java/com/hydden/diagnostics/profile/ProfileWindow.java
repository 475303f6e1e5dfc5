package com.hydden.diagnostics.profile;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The time a profile covers, as every answer states it: {@code X-Profile-Window}, a bundle manifest's {@code window}. */
public final class ProfileWindow {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private ProfileWindow() {
    }

    /** {@code <start>/<end>}: an ISO 8601 time interval, both ends UTC to the millisecond. */
    public static String format(Instant start, Instant end) {
        return TIME.format(start) + "/" + TIME.format(end);
    }
}
