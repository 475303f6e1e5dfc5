package com.hydden.diagnostics.bench;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Random;

/**
 * The least a JAX-RS service on this Payara can do for a profile request: take the JSON body as text and
 * answer 20 KiB. Whatever the gateway takes beyond this is the service's own work (authentication, parsing,
 * permissions, audit, the node call, streaming).
 */
@ApplicationScoped // one instance, as the product's resource
@Path("pprof")
public class FloorResource {

    /** The small profile's bytes: the test node's are the same size and seed (GatewayBench.random). */
    private static final byte[] PROFILE = new byte[20 * 1024];

    static {
        new Random(2).nextBytes(PROFILE);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public byte[] profile(String request) {
        return PROFILE;
    }
}
