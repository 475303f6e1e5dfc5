package com.hydden.diagnostics.problem;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

@Provider
public class ProblemMapper implements ExceptionMapper<ProblemException> {

    @Override
    public Response toResponse(ProblemException e) {
        Response.ResponseBuilder response = e.problem().response();
        e.headers().forEach(response::header);
        return response.build();
    }
}
