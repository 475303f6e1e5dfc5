package com.hydden.diagnostics.auth;

import static com.hydden.diagnostics.testing.Api.body;
import static com.hydden.diagnostics.testing.TestCredentials.ES256;
import static com.hydden.diagnostics.testing.TestCredentials.RS256;
import static com.hydden.diagnostics.testing.TestCredentials.jwt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.Scripts;
import com.hydden.diagnostics.testing.TestCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.jose4j.jwk.PublicJsonWebKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The keys from an identity provider's https endpoint. The server's certificate is self-signed and trusted
 * only through {@code diagnostics.auth.jwt.jwks.trust}: the server's own trust store (the embedded server
 * shares this JVM and installs its own) plays no part. One test only makes the server refresh, because a
 * refresh is allowed once a minute.
 */
@ExtendWith(ArquillianExtension.class)
class JwksOverHttpsIT {

    static final PublicJsonWebKey RSA = TestCredentials.generateRsa("idp-rsa");
    static final PublicJsonWebKey EC = TestCredentials.generateEc("idp-ec");
    static JwksServer idp;

    @Deployment(testable = false)
    static WebArchive deployment() {
        try {
            idp = new JwksServer(Files.createTempDirectory("jwks-https-"), TestCredentials.jwksJson(List.of(RSA, EC)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Deployments.war(Map.of(
                "diagnostics.auth.jwt.jwks", idp.url(),
                "diagnostics.auth.jwt.jwks.trust", idp.trustPem().toString()));
    }

    @AfterAll
    static void stopIdp() {
        idp.close();
    }

    @ArquillianResource
    URL base;

    @Test
    void keysFromHttps_acceptRs256AndEs256() throws Exception {
        assertEquals(200, send(jwt(RSA, RS256)));
        assertEquals(200, send(jwt(EC, ES256)));
    }

    @Test
    void rotatedKey_isAcceptedWithoutRestart_andUnknownKidsRefreshAtMostOncePerMinute() throws Exception {
        PublicJsonWebKey next = TestCredentials.generateRsa("idp-rsa-2");
        PublicJsonWebKey third = TestCredentials.generateRsa("idp-rsa-3");
        int fetches = idp.fetches();
        idp.serve(TestCredentials.jwksJson(List.of(RSA, EC, next)));

        assertEquals(200, send(jwt(next, RS256)), "a key published after startup");
        assertEquals(fetches + 1, idp.fetches());

        idp.serve(TestCredentials.jwksJson(List.of(RSA, EC, next, third)));
        assertEquals(403, send(jwt(third, RS256)), "within a minute of the last refresh");
        assertEquals(403, send(jwt(TestCredentials.RSA, RS256)), "the file's keys are not this deployment's");
        assertEquals(fetches + 1, idp.fetches(), "unknown kids must not hammer the key server");
    }

    int send(String token) throws Exception {
        byte[] profile = new byte[10_000];
        String node = Deployments.node(Scripts.answer(profile));
        Api api = new Api(base);
        HttpResponse<byte[]> response = api.send(api.post(body(node, "heap"))
                .setHeader("Authorization", "Bearer " + token).build());
        if (response.statusCode() == 200) {
            assertArrayEquals(profile, response.body());
        }
        return response.statusCode();
    }
}
