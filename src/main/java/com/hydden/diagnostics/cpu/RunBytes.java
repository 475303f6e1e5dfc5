package com.hydden.diagnostics.cpu;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * A run's profile bytes on this instance, held once for all of its callers here, each reading at its own pace.
 * A chunk is dropped once every reader is past it. At most {@code maxBytes} are held: a reader that falls that far
 * behind the newest byte is cut ({@link TooSlow}), so one stalled client cannot make the run hold an unbounded
 * amount; the others go on.
 *
 * <p>Readers are all opened before {@link #seal}; until then nothing is dropped.
 */
final class RunBytes {

    /** The reader fell more than the run may hold behind; the transfer must look incomplete. */
    static final class TooSlow extends IOException {
        TooSlow(long maxBytes) {
            super("the client fell more than " + maxBytes + " bytes behind the other callers of its cpu run");
        }
    }

    private final long maxBytes;
    private final Deque<byte[]> held = new ArrayDeque<>();
    private final List<Reader> readers = new ArrayList<>();
    private long heldFrom;       // offset of the first held byte
    private long appended;       // bytes appended in all
    private boolean sealed;
    private boolean complete;
    private IOException failure;

    RunBytes(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    synchronized Reader reader() {
        if (sealed) {
            throw new IllegalStateException("readers are opened before the run is sealed");
        }
        Reader r = new Reader();
        readers.add(r);
        return r;
    }

    /** No more readers come; from now on bytes every reader has passed are dropped. */
    synchronized void seal() {
        sealed = true;
        dropRead();
    }

    synchronized void append(byte[] chunk) {
        held.addLast(chunk);
        appended += chunk.length;
        if (sealed) {
            while (appended - slowestPosition() > maxBytes && !readers.isEmpty()) {
                readers.stream().min(Comparator.comparingLong(r -> r.position)).ifPresent(Reader::cut);
            }
            dropRead();
        }
        notifyAll();
    }

    synchronized void complete() {
        complete = true;
        notifyAll();
    }

    synchronized void fail(IOException why) {
        if (!complete && failure == null) {
            failure = why;
        }
        notifyAll();
    }

    /** Bytes held now, for tests. */
    synchronized long heldBytes() {
        return appended - heldFrom;
    }

    private long slowestPosition() {
        return readers.stream().mapToLong(r -> r.position).min().orElse(appended);
    }

    private void dropRead() {
        long keepFrom = slowestPosition();
        while (!held.isEmpty() && heldFrom + held.peekFirst().length <= keepFrom) {
            heldFrom += held.removeFirst().length;
        }
    }

    /** One caller's place in the bytes. */
    final class Reader implements AutoCloseable {
        private long position;
        private boolean cut;
        private boolean closed;

        /** Writes every byte of the run to {@code out}, waiting for the ones still to come. */
        void transferTo(OutputStream out) throws IOException {
            try {
                for (byte[] chunk; (chunk = next()) != null; ) {
                    out.write(chunk);
                    out.flush();
                }
            } finally {
                close();
            }
        }

        /** The next chunk, null at the end. */
        private byte[] next() throws IOException {
            synchronized (RunBytes.this) {
                while (true) {
                    if (cut) {
                        throw new TooSlow(maxBytes);
                    }
                    if (position < appended) {
                        long offset = heldFrom;
                        for (byte[] chunk : held) {
                            if (position < offset + chunk.length) {
                                // chunks are appended whole and read whole: position is at a chunk boundary
                                position = offset + chunk.length;
                                dropRead();
                                return chunk;
                            }
                            offset += chunk.length;
                        }
                    }
                    if (failure != null) {
                        throw new IOException(failure.getMessage(), failure);
                    }
                    if (complete) {
                        return null;
                    }
                    try {
                        RunBytes.this.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting for the cpu run's bytes");
                    }
                }
            }
        }

        private void cut() {
            cut = true;
            readers.remove(this);
        }

        @Override
        public void close() {
            synchronized (RunBytes.this) {
                if (!closed) {
                    closed = true;
                    readers.remove(this);
                    dropRead();
                }
            }
        }
    }
}
