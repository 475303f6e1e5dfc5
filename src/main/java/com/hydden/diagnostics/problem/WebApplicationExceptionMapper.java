package com.hydden.diagnostics.problem;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * JAX-RS's own refusals (unknown path, wrong method, wrong media type) in the same problem shape.
 * Their messages are generic, but the detail is rebuilt from the status so nothing else can leak.
 */
@Provider
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

    @Override
    public Response toResponse(WebApplicationException e) {
        Response original = e.getResponse();
        Response.StatusType status = original.getStatusInfo();
        String kind = status.getReasonPhrase().toLowerCase().replaceAll("[^a-z0-9]+", "-");
        Problem problem = Problem.of(status.getStatusCode(), status.getReasonPhrase(), kind, detail(status.getStatusCode()));
        Response.ResponseBuilder response = problem.response();
        String allow = original.getHeaderString("Allow");
        if (allow != null) {
            response.header("Allow", allow);
        }
        return response.build();
    }

    private static String detail(int status) {
        return switch (status) {
            case 404 -> "no such resource";
            case 405 -> "method not allowed on this resource";
            case 406 -> "no acceptable representation";
            case 415 -> "the request body must be application/json";
            default -> "the request could not be processed";
        };
    }
}
