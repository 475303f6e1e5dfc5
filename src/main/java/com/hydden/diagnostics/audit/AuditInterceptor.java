package com.hydden.diagnostics.audit;

import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.WriterInterceptor;
import jakarta.ws.rs.ext.WriterInterceptorContext;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Counts (and for a 200, digests) the body bytes on their way to the client, and writes the audit record when
 * the body is done: after the last byte of a streamed profile, also when the client went away or the
 * transfer was aborted.
 */
@Provider
public class AuditInterceptor implements WriterInterceptor {

    @Override
    public void aroundWriteTo(WriterInterceptorContext context) throws IOException {
        AuditRecord record = AuditRecord.of(context::getProperty);
        SentBytes sent = new SentBytes(context.getOutputStream(), record.status() == 200);
        context.setOutputStream(sent);
        String outcome = "failed";
        try {
            context.proceed();
            outcome = "complete";
        } finally {
            record.write(sent.count, sent.digest == null ? null : sent.digest.digest(),
                    sent.clientGone ? "client-disconnected" : outcome);
        }
    }

    private static final class SentBytes extends FilterOutputStream {
        final MessageDigest digest;
        long count;
        boolean clientGone;

        SentBytes(OutputStream out, boolean digested) {
            super(out);
            this.digest = digested ? sha256() : null;
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
                clientGone = true;
                throw e;
            }
            count += len;
            if (digest != null) {
                digest.update(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                clientGone = true;
                throw e;
            }
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
