package com.hydden.diagnostics.pprof;

import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.channels.SelectableChannel;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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
public final class ClientConnection {

    private static final ClassValue<Map<String, AccessibleObject>> MEMBERS = new ClassValue<>() {
        @Override
        protected Map<String, AccessibleObject> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    private final Object connection;

    private ClientConnection(Object connection) {
        this.connection = connection;
    }

    public static Optional<ClientConnection> of(ServletResponse response) {
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
    public boolean abort() {
        try {
            method(connection.getClass(), "terminateSilently").invoke(connection);
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
    public boolean limitWriteQueue(int bytes) {
        try {
            int current = (int) method(connection.getClass(), "getMaxAsyncWriteQueueSize").invoke(connection);
            if (current < 0 || current > bytes) {
                method(connection.getClass(), "setMaxAsyncWriteQueueSize", int.class).invoke(connection, bytes);
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
        Field f = (Field) member(target.getClass(), name, () -> {
            Field declared = target.getClass().getDeclaredField(name);
            declared.setAccessible(true);
            return declared;
        });
        return nonNull(f.get(target), name);
    }

    private static Object call(Object target, String name) throws ReflectiveOperationException {
        return nonNull(method(target.getClass(), name).invoke(target), name);
    }

    private static Method method(Class<?> type, String name, Class<?>... parameters) throws ReflectiveOperationException {
        return (Method) member(type, name + "/" + parameters.length, () -> {
            Method m = type.getMethod(name, parameters);
            m.setAccessible(true); // public method, possibly declared by a non-public class
            return m;
        });
    }

    /** Members are looked up once per class, not on every request. */
    private static AccessibleObject member(Class<?> type, String key, Lookup lookup) throws ReflectiveOperationException {
        Map<String, AccessibleObject> known = MEMBERS.get(type);
        AccessibleObject member = known.get(key);
        if (member == null) {
            member = lookup.find();
            known.put(key, member);
        }
        return member;
    }

    private interface Lookup {
        AccessibleObject find() throws ReflectiveOperationException;
    }

    private static Object nonNull(Object value, String what) throws ReflectiveOperationException {
        if (value == null) {
            throw new ReflectiveOperationException(what + " is null");
        }
        return value;
    }
}
