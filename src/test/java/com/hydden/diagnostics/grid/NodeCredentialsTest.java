package com.hydden.diagnostics.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hydden.diagnostics.testing.TestCertificates;
import com.hydden.diagnostics.testing.TestCertificates.Issued;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.okhttp.OkHttpChannelBuilder;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Optional;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NodeCredentialsTest {

    static Path dir;
    static TestCertificates grid;
    static Issued client;

    @BeforeAll
    static void certificates() throws Exception {
        dir = Files.createTempDirectory("node-credentials-");
        grid = TestCertificates.authority(dir, "grid");
        client = grid.issue("client", new String[0]);
    }

    @AfterAll
    static void removeFiles() throws Exception {
        TestCertificates.delete(dir);
    }

    @Test
    void tlsOff_isPlaintext() {
        ChannelCredentials credentials = NodeCredentials.of(false, Optional.empty(), Optional.empty(), Optional.empty());
        assertInstanceOf(InsecureChannelCredentials.class, credentials);
    }

    @Test
    void tlsOffWithTlsFiles_isRefused_asAMistakeRatherThanPlaintext() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeCredentials.of(false,
                Optional.of("/nonexistent/ca.pem"), Optional.empty(), Optional.empty()));
        assertTrue(e.getMessage().startsWith("diagnostics.grid.tls.trust, .cert and .key apply only when"), e.getMessage());
    }

    @Test
    void tlsWithoutFiles_trustsTheJvmTrustStore() {
        TlsChannelCredentials credentials = (TlsChannelCredentials) NodeCredentials.of(true,
                Optional.empty(), Optional.empty(), Optional.empty());
        assertEquals(null, credentials.getRootCertificates());
        assertEquals(null, credentials.getCertificateChain());
    }

    @Test
    void trustAndClientCertificate_areWhatTheTransportUses() {
        TlsChannelCredentials credentials = (TlsChannelCredentials) NodeCredentials.of(true,
                path(grid.caPem()), path(client.certPem()), path(client.keyPem()));
        assertNotNull(credentials.getRootCertificates());
        assertNotNull(credentials.getCertificateChain());
        assertNotNull(credentials.getPrivateKey());
        // The OkHttp transport turns them into its socket factory when a channel is built: no error there.
        OkHttpChannelBuilder.forAddress("localhost", 7443, credentials);
    }

    @Test
    void missingTrustFile_namesTheKeyAndThePath() {
        String message = refused(Optional.of(dir.resolve("absent.pem").toString()), Optional.empty(), Optional.empty());
        assertTrue(message.startsWith("diagnostics.grid.tls.trust: cannot read "), message);
        assertTrue(message.contains("absent.pem"), message);
    }

    @Test
    void trustFileThatIsADirectory_namesTheKey() {
        String message = refused(Optional.of(dir.toString()), Optional.empty(), Optional.empty());
        assertTrue(message.startsWith("diagnostics.grid.tls.trust: cannot read "), message);
    }

    @Test
    void trustFileWithoutCertificates_namesTheKey() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
        assertTrue(refused(path(empty), Optional.empty(), Optional.empty())
                .startsWith("diagnostics.grid.tls.trust: "));
        assertTrue(refused(path(garbage), Optional.empty(), Optional.empty())
                .startsWith("diagnostics.grid.tls.trust: "));
    }

    @Test
    void certificateWithoutKey_andKeyWithoutCertificate_areRefused() {
        String certOnly = refused(Optional.empty(), path(client.certPem()), Optional.empty());
        String keyOnly = refused(Optional.empty(), Optional.empty(), path(client.keyPem()));
        assertTrue(certOnly.contains("diagnostics.grid.tls.cert and diagnostics.grid.tls.key go together"), certOnly);
        assertEquals(certOnly, keyOnly);
    }

    @Test
    void unreadableKeyFile_namesTheKey() {
        String message = refused(Optional.empty(), path(client.certPem()), Optional.of(dir.resolve("absent-key.pem").toString()));
        assertTrue(message.startsWith("diagnostics.grid.tls.key: cannot read "), message);
    }

    @Test
    void pkcs1RsaKey_isRefusedWithTheWayToConvertIt() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(rsa.generateKeyPair().getPrivate());
        }
        assertTrue(pem.toString().startsWith("-----BEGIN RSA PRIVATE KEY-----"), pem::toString);
        Path key = Files.writeString(dir.resolve("pkcs1-key.pem"), pem.toString());

        String message = refused(Optional.empty(), path(client.certPem()), path(key));

        assertTrue(message.startsWith("diagnostics.grid.tls.key: "), message);
        assertTrue(message.contains("PKCS#1") && message.contains("openssl pkcs8 -topk8 -nocrypt"), message);
    }

    @Test
    void keyOfAnotherCertificate_isRefused() {
        Issued other = grid.issue("other-client", new String[0]);
        String message = refused(Optional.empty(), path(client.certPem()), path(other.keyPem()));
        assertTrue(message.startsWith("diagnostics.grid.tls.key is not the private key of"), message);
    }

    private static String refused(Optional<String> trust, Optional<String> cert, Optional<String> key) {
        return assertThrows(IllegalArgumentException.class, () -> NodeCredentials.of(true, trust, cert, key))
                .getMessage();
    }

    private static Optional<String> path(Path file) {
        return Optional.of(file.toString());
    }
}
