package com.hydden.diagnostics.pprof;

import com.hydden.diagnostics.audit.AuditRecord;
import com.hydden.diagnostics.grid.ProfileDownload;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The 200 body: the node's chunks, passed through as they arrive. When the transfer fails after the
 * status went out, the connection is cut so the client cannot mistake a truncated file for a whole one.
 */
final class ProfileBody implements StreamingOutput {

    private static final Logger LOG = Logger.getLogger(ProfileBody.class.getName());
    /** What may wait in the container for a slow client, on top of the socket's buffer: a few chunks. */
    static final int WRITE_QUEUE_BYTES = 256 * 1024;

    private final ProfileDownload download;
    private final Optional<ClientConnection> connection;
    private final AuditRecord audit;

    ProfileBody(ProfileDownload download, Optional<ClientConnection> connection, AuditRecord audit) {
        this.download = download;
        this.connection = connection;
        this.audit = audit;
    }

    @Override
    public void write(OutputStream out) throws IOException {
        connection.ifPresent(c -> c.limitWriteQueue(WRITE_QUEUE_BYTES));
        try {
            download.transferTo(out);
        } catch (IOException e) {
            audit.transferAborted();
            if (!connection.map(ClientConnection::abort).orElse(false)) {
                LOG.warning(() -> "profile transfer failed (" + e.getMessage() + ") and this server cannot abort"
                        + " the connection; the client may see a clean end");
                throw e;
            }
            LOG.warning(() -> "profile transfer failed, connection aborted: " + e.getMessage());
        }
    }
}
