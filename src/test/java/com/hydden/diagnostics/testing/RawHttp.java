package com.hydden.diagnostics.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/** A POST written on a plain socket, so a test can hang up at a moment of its choosing. */
public final class RawHttp implements AutoCloseable {

    private final Socket socket;

    public RawHttp(URL base, String json) throws IOException {
        this(base, "/internal/v1/pprof", json);
    }

    /** A POST of {@code json} to {@code path}. */
    public RawHttp(URL base, String path, String json) throws IOException {
        socket = new Socket(base.getHost(), base.getPort());
        OutputStream out = socket.getOutputStream();
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        out.write(("POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\n"
                + "Authorization: Bearer " + TestCredentials.DEFAULT_API_TOKEN + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
