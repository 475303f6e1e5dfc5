package com.hydden.diagnostics.pprof;

import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.SelectableChannel;
import java.util.Optional;

/**
 * The client's TCP connection under a servlet response, for what the Servlet API cannot do: abort a
 * committed response, so a profile that failed half-way arrives as a broken transfer (no terminating
 * chunk) rather than a clean end of a truncated file; bound what the container queues for a slow client;
 * and reach the socket, so that {@link DisconnectWatch} can notice a client hanging up while its request is
 * suspended.
 *
 * <p>Payara's web container runs on Grizzly. Its connection is reached through the container's response
 * (the facade's {@code response}, then {@code getCoyoteResponse().getRequest().getConnection()}), looked up
 * by name so the WAR needs no server classes. On another container it reports that it could not act,
 * and the caller falls back to what the Servlet API gives.
 */
final class ClientConnection {

    private final Object connection;

    private ClientConnection(Object connection) {
        this.connection = connection;
    }

    static Optional<ClientConnection> of(ServletResponse response) {
        Object target = response;
        while (target instanceof ServletResponseWrapper wrapper) {
            target = wrapper.getResponse();
        }
        try {
            Object catalinaResponse = field(target, "response");
            Object grizzlyResponse = call(catalinaResponse, "getCoyoteResponse");
            Object grizzlyRequest = call(grizzlyResponse, "getRequest");
            return Optional.of(new ClientConnection(call(grizzlyRequest, "getConnection")));
        } catch (ReflectiveOperationException | RuntimeException notGrizzly) {
            return Optional.empty();
        }
    }

    /** Closes the connection at once, dropping whatever is still queued for it. */
    boolean abort() {
        try {
            connection.getClass().getMethod("terminateSilently").invoke(connection);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Makes a blocking write wait once more than {@code bytes} are queued for this connection. Grizzly's own
     * bound is four times the socket's send buffer, which the kernel sizes by the route: on loopback or a
     * fast link that is about 10 MiB per slow client, held on the heap.
     *
     * @return false when the bound could not be set (another container); the transfer still works
     */
    boolean limitWriteQueue(int bytes) {
        try {
            int current = (int) connection.getClass().getMethod("getMaxAsyncWriteQueueSize").invoke(connection);
            if (current < 0 || current > bytes) {
                connection.getClass().getMethod("setMaxAsyncWriteQueueSize", int.class).invoke(connection, bytes);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** The socket channel, for watching it while the container does not read it. */
    Optional<SelectableChannel> channel() {
        try {
            return Optional.of(call(connection, "getChannel")).map(SelectableChannel.class::cast);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        Field f = target.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return nonNull(f.get(target), name);
    }

    private static Object call(Object target, String method) throws ReflectiveOperationException {
        Method m = target.getClass().getMethod(method);
        m.setAccessible(true); // public method, possibly declared by a non-public class
        return nonNull(m.invoke(target), method);
    }

    private static Object nonNull(Object value, String what) throws ReflectiveOperationException {
        if (value == null) {
            throw new ReflectiveOperationException(what + " is null");
        }
        return value;
    }
}
