package com.hydden.diagnostics.grid;

import java.io.IOException;
import java.io.InputStream;

/**
 * A node connection's input, read from the socket in blocks while a profile streams in and directly otherwise.
 *
 * <p>The okhttp transport asks its socket for at most 8 KiB at a time (one okio segment), so a 64 MiB profile
 * took 8,192 reads, each a system call and the locking around it. Once a read fills all it was asked for
 * (more is waiting), the next ones take up to {@link #BLOCK} bytes from the socket at once and hand them out from
 * there. When a block read brings no more than was asked for, the stream has slowed to single reads and the
 * block is let go, so an idle connection, however many the pool holds, keeps no buffer.
 *
 * <p>One reader: the transport's frame reader.
 */
final class ReadAhead extends InputStream {

    static final int BLOCK = 64 * 1024;

    private final InputStream in;
    private byte[] block;
    private int position;
    private int end;

    ReadAhead(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (position < end) {
            return handOut(b, off, len);
        }
        if (block == null || len >= BLOCK) {
            int read = in.read(b, off, len);
            if (read == len && len < BLOCK && block == null) {
                block = new byte[BLOCK];
            }
            return read;
        }
        int read = in.read(block, 0, BLOCK);
        if (read <= 0) {
            return read;
        }
        position = 0;
        end = read;
        int n = handOut(b, off, len);
        if (read <= len) {
            block = null;
        }
        return n;
    }

    private int handOut(byte[] b, int off, int len) {
        int n = Math.min(len, end - position);
        System.arraycopy(block, position, b, off, n);
        position += n;
        return n;
    }

    /** Buffered bytes first, then what the socket says it has. */
    @Override
    public int available() throws IOException {
        return end - position + in.available();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Whether a block is held now; for tests. */
    boolean holdsBlock() {
        return block != null;
    }
}
