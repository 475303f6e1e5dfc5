package com.hydden.diagnostics.bundle;

import com.hydden.diagnostics.audit.AuditRecord;
import com.hydden.diagnostics.cpu.CpuRuns;
import com.hydden.diagnostics.grid.GridStatus;
import com.hydden.diagnostics.grid.ProfileDownload;
import com.hydden.diagnostics.pprof.ClientConnection;
import com.hydden.diagnostics.problem.Problem;
import io.grpc.Status;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The 200 body: the zip, each item written as soon as its outcome is known and the writer is free, the
 * manifest last. A node that fails mid-stream costs its item only: the partial entry is left out of the
 * archive's directory and an error entry follows. If the bundle itself cannot finish (the client left, a
 * bug), the connection is cut, so the client sees an incomplete transfer rather than a zip that looks whole.
 */
final class BundleBody implements StreamingOutput {

    private static final Logger LOG = Logger.getLogger(BundleBody.class.getName());
    /** What may wait in the container for a slow client, on top of the socket's buffer: a few chunks. */
    static final int WRITE_QUEUE_BYTES = 256 * 1024;
    /** How often, at most, the nodes of ready items hear that their turn is coming. */
    static final long KEEP_WAITING_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final BundleRun run;
    private final Manifest manifest;
    private final Optional<ClientConnection> connection;
    private final Runnable stopWatching;
    private final AuditRecord audit;

    BundleBody(BundleRun run, Manifest manifest, Optional<ClientConnection> connection, Runnable stopWatching,
               AuditRecord audit) {
        this.run = run;
        this.manifest = manifest;
        this.connection = connection;
        this.stopWatching = stopWatching;
        this.audit = audit;
    }

    @Override
    public void write(OutputStream container) throws IOException {
        connection.ifPresent(c -> c.limitWriteQueue(WRITE_QUEUE_BYTES));
        ClientSide client = new ClientSide(container);
        ZipWriter zip = new ZipWriter(client);
        String unfinished = "client-disconnected";
        try {
            // The status goes out now, not with the first item, which may take its cpu seconds: a write (of
            // nothing) commits the response, and only a committed response is flushed.
            client.write(new byte[0]);
            client.flush();
            for (Item item; (item = next()) != null; ) {
                write(zip, item, client);
                run.done(item);
                run.startMore();
            }
            if (run.cancelled()) {
                throw new IOException("the client disconnected");
            }
            zip.write("manifest.json", manifest.json(run.items(), Instant.now()));
            zip.finish();
        } catch (IOException | RuntimeException e) {
            boolean clientGone = client.failed || run.cancelled();
            run.cancel();
            unfinished = clientGone ? unfinished : "failed";
            cut(e, clientGone);
        } finally {
            stopWatching.run();
            for (Item item : run.items()) {
                // written lines stay as they are; these are the items the bundle never finished
                item.audit.finished(0, null, null, unfinished);
            }
        }
    }

    private Item next() throws InterruptedIOException {
        try {
            return run.next();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the bundle's items");
        }
    }

    private void write(ZipWriter zip, Item item, ClientSide client) throws IOException {
        Outcome outcome = item.outcome;
        if (outcome.problem() != null) {
            writeError(zip, item, outcome.problem().problem(), "complete");
        } else if (outcome.whole() != null) {
            zip.write(item.entryName(), outcome.whole());
            client.flush();
            byte[] digest = sha256().digest(outcome.whole());
            item.collected(outcome.whole().length, digest, outcome.window());
            item.audit.finished(200, item.bytes, digest, "complete");
        } else {
            writeStream(zip, item, outcome, client);
        }
    }

    private void writeStream(ZipWriter zip, Item item, Outcome outcome, ClientSide client) throws IOException {
        ZipWriter.Entry entry = zip.open(item.entryName());
        ItemBytes bytes = new ItemBytes(entry.stream());
        try {
            if (outcome.shared() != null) {
                outcome.shared().transferTo(bytes);
            } else {
                outcome.stream().transferTo(bytes);
            }
        } catch (IOException e) {
            if (client.failed || run.cancelled()) {
                throw e;
            }
            entry.drop();
            writeError(zip, item, outcome.shared() != null ? sharedRunFailed(e) : midStream(outcome.stream()),
                    CpuRuns.isTooSlow(e) ? "too-slow" : "aborted");
            return;
        }
        entry.close();
        byte[] digest = bytes.digest.digest();
        item.collected(entry.size(), digest, outcome.window());
        item.audit.finished(200, item.bytes, digest, "complete");
    }

    private void writeError(ZipWriter zip, Item item, Problem problem, String outcome) throws IOException {
        zip.write(item.errorEntryName(), problem.toJson().getBytes(StandardCharsets.UTF_8));
        item.failed(problem.status(), problem.type());
        item.audit.finished(problem.status(), null, null, outcome);
    }

    /** The problem of a shared cpu run's bytes that stopped before their end. */
    private static Problem sharedRunFailed(IOException e) {
        return Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "profiling-failed", CpuRuns.isTooSlow(e)
                ? "the bundle fell too far behind the other callers of the node's cpu run"
                : "the node's cpu run failed mid-stream");
    }

    /** The problem of a stream that failed after its first chunk, from the node call's end. */
    private static Problem midStream(ProfileDownload download) {
        try {
            // the failure that ended the transfer is the call's end, completed right after it is queued
            Status end = download.closed().toCompletableFuture().get(1, TimeUnit.SECONDS);
            return GridStatus.toProblem(end, 0).problem();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(Level.FINE, "no end status for a failed transfer", e);
        }
        return Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "profiling-failed", "profiling failed on the node");
    }

    /** Cuts the connection, so a bundle that could not finish is visibly incomplete. */
    private void cut(Exception e, boolean clientGone) throws IOException {
        if (clientGone) {
            audit.clientDisconnected();
        } else {
            audit.transferAborted();
            LOG.log(e instanceof IOException ? Level.WARNING : Level.SEVERE, "bundle " + audit.bundleId()
                    + " could not be finished; cutting the connection", e);
        }
        if (!connection.map(ClientConnection::abort).orElse(false)) {
            if (e instanceof IOException io) {
                throw io;
            }
            throw (RuntimeException) e;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The container's stream; remembers whether writing to the client failed. */
    private static final class ClientSide extends FilterOutputStream {
        volatile boolean failed;

        ClientSide(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }
    }

    /** A profile on its way into its entry: digested for the manifest; the items waiting behind it kept alive. */
    private final class ItemBytes extends FilterOutputStream {
        final MessageDigest digest = sha256();
        private long lastKeepWaitingNanos = System.nanoTime();

        ItemBytes(OutputStream entry) {
            super(entry);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            long now = System.nanoTime();
            if (now - lastKeepWaitingNanos > KEEP_WAITING_NANOS) {
                lastKeepWaitingNanos = now;
                run.keepReadyWaiting();
            }
        }
    }
}
