package com.hydden.diagnostics.auth;

import static com.hydden.diagnostics.testing.Api.body;
import static com.hydden.diagnostics.testing.TestCredentials.EC;
import static com.hydden.diagnostics.testing.TestCredentials.ES256;
import static com.hydden.diagnostics.testing.TestCredentials.RSA;
import static com.hydden.diagnostics.testing.TestCredentials.RS256;
import static com.hydden.diagnostics.testing.TestCredentials.jwt;
import static com.hydden.diagnostics.testing.TestCredentials.secondsFromNow;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.Api;
import com.hydden.diagnostics.testing.Deployments;
import com.hydden.diagnostics.testing.LogCapture;
import com.hydden.diagnostics.testing.Scripts;
import com.hydden.diagnostics.testing.TestCredentials;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The gate over real HTTP: what gets in, and that everything else gets the same 403 and leaves no secret behind. */
@ExtendWith(ArquillianExtension.class)
class AuthIT {

    static final String PROBLEM = "urn:hydden:diagnostics:problem:";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.war();
    }

    @ArquillianResource
    URL base;

    Api api;
    LogCapture logs;
    final List<String> secrets = new ArrayList<>();

    @BeforeEach
    void setUp() {
        api = new Api(base);
        logs = LogCapture.start();
    }

    @AfterEach
    void noSecretInAnyLog() {
        try {
            for (String secret : secrets) {
                assertEquals(List.of(), logs.linesContaining(secret), "a credential reached the log");
            }
        } finally {
            logs.close();
        }
    }

    // --- accepted ---

    @Test
    void rs256Bearer_isAccepted() throws Exception {
        assertAccepted(bearer(jwt(RSA, RS256)), "alice", "jwt-bearer");
    }

    @Test
    void es256Bearer_isAccepted() throws Exception {
        assertAccepted(bearer(jwt(EC, ES256)), "alice", "jwt-bearer");
    }

    @Test
    void rs256Cookie_isAccepted() throws Exception {
        assertAccepted(cookie(jwt(RSA, RS256)), "alice", "jwt-cookie");
    }

    @Test
    void es256Cookie_isAccepted() throws Exception {
        assertAccepted(cookie(jwt(EC, ES256)), "alice", "jwt-cookie");
    }

    @Test
    void cookieFromTheSameOrigin_isAccepted() throws Exception {
        String origin = base.getProtocol() + "://" + base.getHost() + ":" + base.getPort();
        assertAccepted(cookie(jwt(RSA, RS256)).header("Origin", origin), "alice", "jwt-cookie");
    }

    @Test
    void apiToken_isAccepted() throws Exception {
        assertAccepted(bearer(TestCredentials.DEFAULT_API_TOKEN), "ci", "api-token");
    }

    @Test
    void rotatedKey_isAcceptedWithoutRestart() throws Exception {
        PublicJsonWebKey next = TestCredentials.generateEc("ec-rotated-" + System.nanoTime());
        String token = jwt(next, ES256);
        assertAuthenticationFailed(bearer(token), token);

        TestCredentials.publish(next);

        assertAccepted(bearer(token), "alice", "jwt-bearer");
    }

    // --- refused: authentication failed ---

    @Test
    void noCredential_is403() throws Exception {
        assertAuthenticationFailed(api.anonymous(body("node-0", "heap")), null);
    }

    @Test
    void unknownPathWithoutCredential_is403NotFound() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(api.pprofUri().toString().replace("/pprof", "/nothing")))
                .GET().build();
        assertProblem(api.send(request), "authentication-failed", "authentication failed", null);
    }

    @Test
    void expiredJwt_is403() throws Exception {
        String token = jwt(RSA, RS256, c -> {
            c.setIssuedAt(secondsFromNow(-600));
            c.setExpirationTime(secondsFromNow(-60));
        });
        assertAuthenticationFailed(bearer(token), token);
    }

    @Test
    void notBeforeInTheFuture_is403() throws Exception {
        String token = jwt(RSA, RS256, c -> c.setNotBefore(secondsFromNow(300)));
        assertAuthenticationFailed(bearer(token), token);
    }

    @Test
    void noExpiry_is403() throws Exception {
        String token = jwt(RSA, RS256, c -> c.unsetClaim("exp"));
        assertAuthenticationFailed(bearer(token), token);
    }

    @Test
    void wrongIssuer_is403() throws Exception {
        String token = jwt(RSA, RS256, c -> c.setIssuer("https://evil.test"));
        assertAuthenticationFailed(bearer(token), token);
    }

    @Test
    void wrongAudience_is403() throws Exception {
        String token = jwt(EC, ES256, c -> c.setAudience("another-api"));
        assertAuthenticationFailed(cookie(token), token);
    }

    @Test
    void signatureByUnknownKey_is403() throws Exception {
        String token = jwt(TestCredentials.generateRsa(RSA.getKeyId()), RS256);
        assertAuthenticationFailed(bearer(token), token);
    }

    @Test
    void unknownKid_is403() throws Exception {
        String token = jwt(TestCredentials.generateRsa("nobody-knows-" + System.nanoTime()), RS256);
        assertAuthenticationFailed(bearer(token), token);
    }

    @Test
    void algNone_is403() throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims().toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
        jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        String token = jws.getCompactSerialization();
        assertAuthenticationFailed(bearer(token), token);
        assertAuthenticationFailed(cookie(token), token);
    }

    @Test
    void hs256KeyedWithTheRsaPublicKey_is403() throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims().toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setKeyIdHeaderValue(RSA.getKeyId());
        jws.setKey(new HmacKey(RSA.getPublicKey().getEncoded()));
        String token = jws.getCompactSerialization();
        assertAuthenticationFailed(bearer(token), token);
    }

    @Test
    void tamperedPayload_is403() throws Exception {
        String[] parts = jwt(RSA, RS256, c -> c.setStringListClaim("groups", "viewer")).split("\\.");
        String token = parts[0] + "." + base64(claims().toJson()) + "." + parts[2];
        assertAuthenticationFailed(bearer(token), token);
    }

    @Test
    void malformedTokens_are403() throws Exception {
        String valid = jwt(RSA, RS256);
        for (String token : List.of("a.b.c", valid + "x", valid.substring(0, valid.lastIndexOf('.')),
                base64("{\"alg\":\"RS256\"}") + "." + base64("not json") + ".c2ln", "Zm9v", "x".repeat(6_000))) {
            assertAuthenticationFailed(bearer(token), token);
            assertAuthenticationFailed(cookie(token), token);
        }
        assertAuthenticationFailed(api.anonymous(body("node-0", "heap")).header("Authorization", "Bearer"), null);
    }

    @Test
    void basicAuthorization_is403() throws Exception {
        String secret = base64("alice:secret");
        assertAuthenticationFailed(api.anonymous(body("node-0", "heap")).header("Authorization", "Basic " + secret), secret);
    }

    @Test
    void apiTokenAfterItsLineWasRemoved_is403WithoutRestart() throws Exception {
        String name = "robot-" + System.nanoTime();
        String token = TestCredentials.addApiToken(name, "diagnostics");
        assertAccepted(bearer(token), name, "api-token");

        TestCredentials.removeApiToken(name);

        assertAuthenticationFailed(bearer(token), token);
    }

    @Test
    void cookieWithForeignOrigin_is403() throws Exception {
        String token = jwt(RSA, RS256);
        assertAuthenticationFailed(cookie(token).header("Origin", "https://evil.example"), token);
        assertAuthenticationFailed(cookie(token).header("Origin", "null"), token);
    }

    // --- refused: permission denied ---

    @Test
    void jwtWithoutTheRole_is403PermissionDenied() throws Exception {
        String token = jwt(RSA, RS256, c -> c.setStringListClaim("groups", "viewer"));
        assertPermissionDenied(bearer(token), token);
        String noGroups = jwt(EC, ES256, c -> c.unsetClaim("groups"));
        assertPermissionDenied(cookie(noGroups), noGroups);
    }

    @Test
    void apiTokenWithoutTheRole_is403PermissionDenied() throws Exception {
        String token = TestCredentials.addApiToken("viewer-" + System.nanoTime(), "viewer,ops");
        assertPermissionDenied(bearer(token), token);
    }

    // --- requests and checks ---

    HttpRequest.Builder bearer(String token) {
        secrets.add(token);
        return api.anonymous(body("node-0", "heap")).header("Authorization", "Bearer " + token);
    }

    HttpRequest.Builder cookie(String token) {
        secrets.add(token);
        return api.anonymous(body("node-0", "heap")).header("Cookie", "theme=dark; " + TestCredentials.COOKIE + "=" + token);
    }

    void assertAccepted(HttpRequest.Builder request, String caller, String scheme) throws Exception {
        byte[] profile = new byte[50_000];
        new Random(caller.hashCode()).nextBytes(profile);
        String node = Deployments.node(Scripts.answer(profile));
        HttpRequest sent = request.copy().POST(HttpRequest.BodyPublishers.ofString(body(node, "heap"))).build();

        HttpResponse<byte[]> response = api.send(sent);

        assertEquals(200, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
        assertArrayEquals(profile, response.body());
        JsonObject audit = audit(response);
        assertEquals(caller, audit.getString("caller"));
        assertEquals(scheme, audit.getString("scheme"));
    }

    void assertAuthenticationFailed(HttpRequest.Builder request, String secret) throws Exception {
        HttpResponse<byte[]> response = api.send(request.build());
        assertProblem(response, "authentication-failed", "authentication failed", secret);
        assertTrue(audit(response).isNull("caller"), "a refused credential names no caller");
    }

    void assertPermissionDenied(HttpRequest.Builder request, String secret) throws Exception {
        HttpResponse<byte[]> response = api.send(request.build());
        assertProblem(response, "permission-denied", "permission denied", secret);
        assertFalse(audit(response).isNull("caller"), "the audit names who was denied");
    }

    static void assertProblem(HttpResponse<byte[]> response, String kind, String detail, String secret) {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertEquals(403, response.statusCode(), body);
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        JsonObject problem = Json.createReader(new StringReader(body)).readObject();
        assertEquals(PROBLEM + kind, problem.getString("type"));
        assertEquals(403, problem.getInt("status"));
        assertEquals(detail, problem.getString("detail"));
        if (secret != null) {
            assertFalse(body.contains(secret), "the answer echoes the credential");
        }
    }

    JsonObject audit(HttpResponse<?> response) throws InterruptedException {
        String id = response.headers().firstValue("X-Request-Id").orElseThrow(() -> new AssertionError("no X-Request-Id"));
        return Json.createReader(new StringReader(logs.auditLine(id))).readObject();
    }

    static JwtClaims claims() {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(TestCredentials.ISSUER);
        claims.setAudience(TestCredentials.AUDIENCE);
        claims.setSubject("mallory");
        claims.setExpirationTimeMinutesInTheFuture(5);
        claims.setStringListClaim("groups", TestCredentials.ROLE);
        return claims;
    }

    static String base64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
