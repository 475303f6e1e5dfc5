package com.hydden.diagnostics.bundle;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A zip archive written front to back, never held: entries are STORED (a profile is gzip already), and one
 * whose size is not known in advance is followed by a data descriptor. The central directory, written by
 * {@link #finish}, lists the entries; a streamed entry that is {@linkplain Entry#drop dropped} stays out of it,
 * so readers, which all go by the central directory, never see the truncated bytes. Archives past 4 GiB get
 * Zip64 offsets; no single entry may reach 4 GiB.
 *
 * <p>Java's streaming {@code ZipInputStream} refuses STORED entries with a data descriptor (it could not
 * know where they end); {@code ZipFile}, {@code unzip}, Go, Python and 7-Zip read the archive.
 */
final class ZipWriter {

    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int DATA_DESCRIPTOR = 0x08074b50;
    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int END_OF_CENTRAL = 0x06054b50;
    private static final int ZIP64_END_OF_CENTRAL = 0x06064b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int UTF8_NAMES = 0x0800;
    private static final int SIZES_FOLLOW = 0x0008;
    private static final int VERSION = 20;
    private static final int VERSION_ZIP64 = 45;
    private static final int MADE_ON_UNIX = 3 << 8;
    private static final int REGULAR_FILE_RW_R_R = 0100644 << 16;
    static final long MAX_32 = 0xFFFFFFFFL;

    private final Counting out;
    /** Headers are put together here and written in one piece, not a byte at a time down the stream. */
    private final ByteArrayOutputStream header = new ByteArrayOutputStream(256);
    private final List<Listed> listed = new ArrayList<>();
    private Entry open;

    ZipWriter(OutputStream out) {
        this.out = new Counting(out);
    }

    /** Bytes written so far. */
    long written() {
        return out.count;
    }

    /** Writes a whole entry whose bytes are at hand, sizes and checksum in its header. */
    void write(String name, byte[] data) throws IOException {
        requireNoOpenEntry();
        CRC32 crc = new CRC32();
        crc.update(data);
        Listed entry = new Listed(name.getBytes(StandardCharsets.UTF_8), UTF8_NAMES, dosTime(), out.count);
        entry.crc = crc.getValue();
        entry.size = data.length;
        localHeader(entry);
        out.write(data);
        listed.add(entry);
    }

    /** Starts an entry written as its bytes come; end it with {@link Entry#close} or {@link Entry#drop}. */
    Entry open(String name) throws IOException {
        requireNoOpenEntry();
        Listed entry = new Listed(name.getBytes(StandardCharsets.UTF_8), UTF8_NAMES | SIZES_FOLLOW, dosTime(), out.count);
        localHeader(entry);
        open = new Entry(entry);
        return open;
    }

    /** Writes the central directory; the archive is complete once this returns. */
    void finish() throws IOException {
        requireNoOpenEntry();
        long start = out.count;
        for (Listed entry : listed) {
            centralHeader(entry);
        }
        long size = out.count - start;
        boolean zip64 = start >= MAX_32 || size >= MAX_32 || listed.size() >= 0xFFFF;
        if (zip64) {
            long record = out.count;
            int32(ZIP64_END_OF_CENTRAL);
            int64(44);
            int16(MADE_ON_UNIX | VERSION_ZIP64);
            int16(VERSION_ZIP64);
            int32(0);
            int32(0);
            int64(listed.size());
            int64(listed.size());
            int64(size);
            int64(start);
            int32(ZIP64_LOCATOR);
            int32(0);
            int64(record);
            int32(1);
        }
        int32(END_OF_CENTRAL);
        int16(0);
        int16(0);
        int16(Math.min(listed.size(), 0xFFFF));
        int16(Math.min(listed.size(), 0xFFFF));
        int32(Math.min(size, MAX_32));
        int32(Math.min(start, MAX_32));
        int16(0);
        emit();
        out.flush();
    }

    private void requireNoOpenEntry() {
        if (open != null) {
            throw new IllegalStateException("an entry is still open");
        }
    }

    private void localHeader(Listed entry) throws IOException {
        int32(LOCAL_HEADER);
        int16(VERSION);
        int16(entry.flags);
        int16(0); // STORED
        int32(entry.dosTime);
        int32(entry.crc);
        int32(entry.size);
        int32(entry.size);
        int16(entry.name.length);
        int16(0);
        bytes(entry.name);
        emit();
    }

    private void centralHeader(Listed entry) throws IOException {
        boolean farOffset = entry.offset >= MAX_32;
        int32(CENTRAL_HEADER);
        int16(MADE_ON_UNIX | (farOffset ? VERSION_ZIP64 : VERSION));
        int16(farOffset ? VERSION_ZIP64 : VERSION);
        int16(entry.flags);
        int16(0);
        int32(entry.dosTime);
        int32(entry.crc);
        int32(entry.size);
        int32(entry.size);
        int16(entry.name.length);
        int16(farOffset ? 12 : 0);
        int16(0);
        int16(0);
        int16(0);
        int32(REGULAR_FILE_RW_R_R);
        int32(farOffset ? MAX_32 : entry.offset);
        bytes(entry.name);
        if (farOffset) {
            int16(0x0001); // Zip64 extended information: the local header's offset only
            int16(8);
            int64(entry.offset);
        }
        emit();
    }

    private void int16(int value) {
        header.write(value & 0xFF);
        header.write((value >>> 8) & 0xFF);
    }

    private void bytes(byte[] bytes) {
        header.write(bytes, 0, bytes.length);
    }

    private void emit() throws IOException {
        header.writeTo(out);
        header.reset();
    }

    private void int32(long value) {
        int16((int) (value & 0xFFFF));
        int16((int) ((value >>> 16) & 0xFFFF));
    }

    private void int64(long value) {
        int32(value & MAX_32);
        int32(value >>> 32);
    }

    /** MS-DOS date and time, UTC, as zip headers hold them. */
    private static long dosTime() {
        LocalDateTime t = LocalDateTime.now(ZoneOffset.UTC);
        long date = ((long) (t.getYear() - 1980) << 9) | (t.getMonthValue() << 5) | t.getDayOfMonth();
        long time = (t.getHour() << 11) | (t.getMinute() << 5) | (t.getSecond() / 2);
        return date << 16 | time;
    }

    /** An entry's facts as its headers state them. */
    private static final class Listed {
        final byte[] name;
        final int flags;
        final long dosTime;
        final long offset;
        long crc;
        long size;

        Listed(byte[] name, int flags, long dosTime, long offset) {
            this.name = name;
            this.flags = flags;
            this.dosTime = dosTime;
            this.offset = offset;
        }
    }

    /** An entry being written: its bytes go through {@link #stream()}. */
    final class Entry {
        private final Listed entry;
        private final CRC32 crc = new CRC32();
        private long size;
        private final OutputStream stream;

        private Entry(Listed entry) {
            this.entry = entry;
            this.stream = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[]{(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (open != Entry.this) {
                        throw new IOException("the entry is closed");
                    }
                    if (size + len >= MAX_32) {
                        throw new IOException("an entry of 4 GiB or more");
                    }
                    out.write(b, off, len);
                    crc.update(b, off, len);
                    size += len;
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }
            };
        }

        OutputStream stream() {
            return stream;
        }

        long size() {
            return size;
        }

        /** Ends the entry and lists it. */
        void close() throws IOException {
            end();
            listed.add(entry);
        }

        /** Ends the entry without listing it: its bytes stay in the archive, unreachable. */
        void drop() throws IOException {
            end();
        }

        private void end() throws IOException {
            if (open != this) {
                throw new IllegalStateException("not the open entry");
            }
            open = null;
            entry.crc = crc.getValue();
            entry.size = size;
            int32(DATA_DESCRIPTOR);
            int32(entry.crc);
            int32(size);
            int32(size);
            emit();
        }
    }

    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
