package com.hydden.diagnostics.auth;

import com.hydden.diagnostics.testing.TestCredentials;
import jakarta.security.enterprise.identitystore.CredentialValidationResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jose4j.jwk.PublicJsonWebKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What authentication costs one request: a JWT checked by {@link JwtVerifier} (signature, then claims and
 * roles) and an API token looked up by {@link ApiTokens} (hash, file check, compare with every line). The
 * verifiers are built as at startup, against a JWKS file and a token file of {@link #TOKEN_LINES} lines.
 * Run by the benchmark's main class; each benchmark returns its result so none is optimised away.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AuthBenchmark {

    public static final int TOKEN_LINES = 10;

    private JwtVerifier verifier;
    private ApiTokens apiTokens;
    private TokenCredential rs256;
    private TokenCredential es256;
    private TokenCredential apiToken;

    @Setup
    public void setUp() throws IOException {
        Path dir = Files.createTempDirectory("auth-benchmark-");
        PublicJsonWebKey rsa = TestCredentials.generateRsa("rsa-bench");
        PublicJsonWebKey ec = TestCredentials.generateEc("ec-bench");
        Path jwks = Files.writeString(dir.resolve("jwks.json"), TestCredentials.jwksJson(List.of(rsa, ec)));
        verifier = new JwtVerifier(JwksKeys.load(jwks.toString(), Optional.empty()),
                Optional.of(TestCredentials.ISSUER), Optional.of(TestCredentials.AUDIENCE), Duration.ofSeconds(30),
                "groups");
        // Valid for the five minutes the test credentials give; a benchmark run takes well under one.
        rs256 = new TokenCredential(TestCredentials.jwt(rsa, TestCredentials.RS256));
        es256 = new TokenCredential(TestCredentials.jwt(ec, TestCredentials.ES256));

        List<String> lines = new ArrayList<>();
        String token = null;
        for (int i = 0; i < TOKEN_LINES; i++) {
            token = TestCredentials.newToken();
            lines.add("robot-" + i + " " + TestCredentials.sha256Hex(token) + " diagnostics");
        }
        apiTokens = new ApiTokens(Files.write(dir.resolve("api-tokens"), lines));
        apiToken = new TokenCredential(token);
        for (TokenCredential credential : List.of(rs256, es256, apiToken)) {
            requireValid(credential == apiToken ? apiTokens.validate(credential) : verifier.validate(credential));
        }
    }

    @Benchmark
    public CredentialValidationResult jwtRs256() {
        return verifier.validate(rs256);
    }

    @Benchmark
    public CredentialValidationResult jwtEs256() {
        return verifier.validate(es256);
    }

    @Benchmark
    public CredentialValidationResult apiToken() {
        return apiTokens.validate(apiToken);
    }

    private static void requireValid(CredentialValidationResult result) {
        if (result.getStatus() != CredentialValidationResult.Status.VALID) {
            throw new IllegalStateException("the benchmark's credential is refused: " + result.getStatus());
        }
    }
}
