package com.hydden.diagnostics.profile;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A profile file kept as it arrived (compressed), refusing to grow past {@code maxBytes}: a snapshot waiting
 * for its partner costs its compressed size only. Kept as the pieces written, so it never holds a growing
 * array and its copy at once.
 */
public final class CappedBuffer extends OutputStream {

    private final long maxBytes;
    private final List<byte[]> pieces = new ArrayList<>();
    private long size;

    public CappedBuffer(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void write(int b) throws ProfileTooLargeException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws ProfileTooLargeException {
        if (size + len > maxBytes) {
            throw new ProfileTooLargeException(maxBytes);
        }
        byte[] piece = new byte[len];
        System.arraycopy(b, off, piece, 0, len);
        pieces.add(piece);
        size += len;
    }

    public synchronized long size() {
        return size;
    }

    /** The bytes written so far, read in place. */
    public synchronized InputStream contents() {
        List<InputStream> streams = pieces.stream().<InputStream>map(ByteArrayInputStream::new).toList();
        return new SequenceInputStream(Collections.enumeration(streams));
    }
}
