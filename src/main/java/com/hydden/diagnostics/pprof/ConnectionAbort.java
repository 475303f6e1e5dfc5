package com.hydden.diagnostics.pprof;

import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Cuts the connection under a response that is already committed, so that a profile which failed half-way
 * arrives as a broken transfer (no terminating chunk) instead of a clean end of a truncated file.
 *
 * <p>The Servlet API has no abort: ending a committed response always finishes it cleanly. Payara's web
 * container is Grizzly, whose connection can be terminated; it is reached through public methods of the
 * container's response ({@code getCoyoteResponse().getRequest().getConnection()}), looked up by name so
 * the WAR needs no server classes. On another server this reports false and the caller falls back.
 */
final class ConnectionAbort {

    private ConnectionAbort() {
    }

    static boolean abort(ServletResponse response) {
        Object target = response;
        while (target instanceof ServletResponseWrapper wrapper) {
            target = wrapper.getResponse();
        }
        try {
            Object catalinaResponse = field(target, "response");
            Object grizzlyResponse = call(catalinaResponse, "getCoyoteResponse");
            Object grizzlyRequest = call(grizzlyResponse, "getRequest");
            Object connection = call(grizzlyRequest, "getConnection");
            connection.getClass().getMethod("terminateSilently").invoke(connection);
            return true;
        } catch (ReflectiveOperationException | RuntimeException notGrizzly) {
            return false;
        }
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        Field f = target.getClass().getDeclaredField(name);
        f.setAccessible(true);
        Object value = f.get(target);
        if (value == null) {
            throw new ReflectiveOperationException(name + " is null");
        }
        return value;
    }

    private static Object call(Object target, String method) throws ReflectiveOperationException {
        Method m = target.getClass().getMethod(method);
        m.setAccessible(true); // public method, possibly declared by a non-public class
        Object result = m.invoke(target);
        if (result == null) {
            throw new ReflectiveOperationException(method + " returned null");
        }
        return result;
    }
}
