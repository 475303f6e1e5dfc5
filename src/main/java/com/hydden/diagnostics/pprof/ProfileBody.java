package com.hydden.diagnostics.pprof;

import com.hydden.diagnostics.audit.AuditRecord;
import com.hydden.diagnostics.cpu.CpuRuns;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The 200 body: the node's chunks (or a shared cpu run's), passed through as they arrive. When the transfer fails
 * after the status went out, the connection is cut so the client cannot mistake a truncated file for a whole one.
 */
final class ProfileBody implements StreamingOutput {

    private static final Logger LOG = Logger.getLogger(ProfileBody.class.getName());
    /** What may wait in the container for a slow client, on top of the socket's buffer: a few chunks. */
    static final int WRITE_QUEUE_BYTES = 256 * 1024;

    private final Source source;
    private final Optional<ClientConnection> connection;
    private final AuditRecord audit;

    ProfileBody(Source source, Optional<ClientConnection> connection, AuditRecord audit) {
        this.source = source;
        this.connection = connection;
        this.audit = audit;
    }

    /** Where the bytes come from: a node's call, or this caller's reader of a shared cpu run. */
    @FunctionalInterface
    interface Source {
        void transferTo(OutputStream out) throws IOException;
    }

    @Override
    public void write(OutputStream out) throws IOException {
        connection.ifPresent(c -> c.limitWriteQueue(WRITE_QUEUE_BYTES));
        try {
            source.transferTo(out);
        } catch (IOException e) {
            if (CpuRuns.isTooSlow(e)) {
                audit.tooSlow();
            } else {
                audit.transferAborted();
            }
            if (!connection.map(ClientConnection::abort).orElse(false)) {
                LOG.warning(() -> "profile transfer failed (" + e.getMessage() + ") and this server cannot abort"
                        + " the connection; the client may see a clean end");
                throw e;
            }
            LOG.warning(() -> "profile transfer failed, connection aborted: " + e.getMessage());
        }
    }
}
