package com.hydden.diagnostics.profile;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.hydden.diagnostics.profile.proto.Profile;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes pprof files: gzip-compressed {@code profile.proto}, as Go writes them (an uncompressed one
 * is read too, as pprof does).
 *
 * <p>Decoding streams from the decompressor into the parser through a counter, so no decompressed copy is
 * ever held and a file that decompresses to more than the cap (a gzip bomb among them) is refused after
 * reading the cap, never after filling the heap.
 */
public final class ProfileCodec {

    /** Protobuf cannot parse a message larger than this. */
    public static final long MAX_BYTES = Integer.MAX_VALUE;

    private ProfileCodec() {
    }

    /**
     * The profile in {@code file}.
     *
     * @throws ProfileTooLargeException when it decompresses to more than {@code maxBytes}
     * @throws MalformedProfileException when it is not a pprof file
     */
    public static Profile decode(InputStream file, long maxBytes) throws IOException {
        BufferedInputStream in = new BufferedInputStream(file, 64 * 1024);
        Capped capped = null;
        try {
            // GZIPInputStream reads the gzip header at once: a broken one fails here
            capped = new Capped(gzipped(in) ? new GZIPInputStream(in, 64 * 1024) : in, Math.min(maxBytes, MAX_BYTES));
            CodedInputStream coded = CodedInputStream.newInstance(capped);
            coded.setSizeLimit(Integer.MAX_VALUE);
            return Profile.parseFrom(coded);
        } catch (InvalidProtocolBufferException | ZipException e) {
            // protobuf wraps what the stream threw; the counter knows whether it was the cap
            if (capped != null && capped.exceeded) {
                throw new ProfileTooLargeException(maxBytes);
            }
            throw new MalformedProfileException("not a pprof profile: " + e.getMessage(), e);
        } catch (ProfileTooLargeException e) {
            throw e;
        } catch (IOException e) {
            if (capped != null && capped.exceeded) {
                throw new ProfileTooLargeException(maxBytes);
            }
            throw new MalformedProfileException("not a pprof profile: " + e.getMessage(), e);
        }
    }

    /** Writes {@code profile} gzip-compressed, as Go does; finishes the gzip stream, does not close {@code out}. */
    public static void encode(Profile profile, OutputStream out) throws IOException {
        GZIPOutputStream gzip = new GZIPOutputStream(new Unclosed(out), 64 * 1024);
        profile.writeTo(gzip);
        gzip.finish();
        gzip.flush();
    }

    private static boolean gzipped(BufferedInputStream in) throws IOException {
        in.mark(2);
        int first = in.read();
        int second = in.read();
        in.reset();
        return first == 0x1f && second == 0x8b;
    }

    /** Fails the read that would pass {@code maxBytes}. */
    private static final class Capped extends FilterInputStream {
        private final long maxBytes;
        private long read;
        boolean exceeded;

        Capped(InputStream in, long maxBytes) {
            super(in);
            this.maxBytes = maxBytes;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            // Ask for one byte beyond the cap at most, to tell "exactly the cap" from "more".
            long room = maxBytes - read + 1;
            int n = super.read(b, off, (int) Math.min(len, room));
            if (n > 0) {
                read += n;
                if (read > maxBytes) {
                    exceeded = true;
                    throw new ProfileTooLargeException(maxBytes);
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // through read, so skipped bytes count too
            return n <= 0 ? 0 : Math.max(0, read(new byte[(int) Math.min(n, 8192)], 0, (int) Math.min(n, 8192)));
        }
    }

    /** Lets the gzip stream finish without closing what it writes to. */
    private static final class Unclosed extends java.io.FilterOutputStream {
        Unclosed(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
