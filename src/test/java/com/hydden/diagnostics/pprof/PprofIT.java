package com.hydden.diagnostics.pprof;

import static com.hydden.diagnostics.testing.Api.body;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.Scripts;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.http.HttpResponse;
import java.util.Random;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ArquillianExtension.class)
class PprofIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war();
    }

    @ArquillianResource
    URL base;

    @Test
    void heapProfile_isStreamedByteForByte() throws Exception {
        byte[] profile = random(200_000, 1);
        String node = Deployments.node(Scripts.answer(profile));

        HttpResponse<byte[]> response = new Api(base).profile(body(node, "heap"));

        assertEquals(200, response.statusCode(), () -> new String(response.body()));
        assertArrayEquals(profile, response.body());
        System.out.println(response.headers().map());
    }

    @Test
    void nodeFailsMidStream_transferIsIncomplete() throws Exception {
        byte[] profile = random(1_000_000, 2);
        String node = Deployments.node(Scripts.failAfter(profile, 300_000, Status.INTERNAL));

        HttpResponse<InputStream> response = new Api(base).stream(body(node, "heap"));

        assertEquals(200, response.statusCode());
        try (InputStream in = response.body()) {
            IOException e = assertThrows(IOException.class, in::readAllBytes);
            System.out.println("incomplete: " + e);
        }
    }

    @Test
    void unknownNode_is404() throws Exception {
        HttpResponse<byte[]> response = new Api(base).profile(body("nobody", "heap"));
        assertEquals(404, response.statusCode());
        System.out.println(new String(response.body()) + response.headers().map());
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
