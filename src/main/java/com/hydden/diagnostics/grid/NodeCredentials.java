package com.hydden.diagnostics.grid;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.util.CertificateUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * The credentials every node channel uses, from the {@code diagnostics.grid.tls*} keys.
 *
 * <p>gRPC reads the PEM files only when a channel is built, so a bad file would otherwise pass the
 * deployment and fail every request. Each file is read and parsed here, with the same parser gRPC's
 * OkHttp transport uses, and a problem stops the deployment naming its key.
 *
 * <p>That parser takes unencrypted PKCS#8 private keys ({@code BEGIN PRIVATE KEY}), RSA or EC, only.
 * Other forms are refused with the command that converts them rather than converted here.
 */
final class NodeCredentials {

    static final String TLS = "diagnostics.grid.tls";
    static final String TRUST = "diagnostics.grid.tls.trust";
    static final String CERT = "diagnostics.grid.tls.cert";
    static final String KEY = "diagnostics.grid.tls.key";

    private NodeCredentials() {
    }

    /**
     * Plaintext when {@code tls} is off; otherwise TLS trusting {@code trust} (the JVM's trust store when
     * empty), presenting {@code cert} and {@code key} when given. Host names are verified either way.
     *
     * @throws IllegalArgumentException naming the key whose value is unusable
     */
    static ChannelCredentials of(boolean tls, Optional<String> trust, Optional<String> cert, Optional<String> key) {
        if (!tls) {
            if (trust.isPresent() || cert.isPresent() || key.isPresent()) {
                throw new IllegalArgumentException(TRUST + ", .cert and .key apply only when diagnostics.grid.tls is true");
            }
            return InsecureChannelCredentials.create();
        }
        if (cert.isPresent() != key.isPresent()) {
            throw new IllegalArgumentException(CERT + " and " + KEY + " go together: set both or neither");
        }
        TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
        try {
            if (trust.isPresent()) {
                byte[] pem = read(TRUST, trust.get());
                certificates(TRUST, trust.get(), pem);
                builder.trustManager(new ByteArrayInputStream(pem));
            }
            if (cert.isPresent()) {
                byte[] certPem = read(CERT, cert.get());
                byte[] keyPem = read(KEY, key.get());
                X509Certificate[] chain = certificates(CERT, cert.get(), certPem);
                requireSameKeyPair(chain[0], privateKey(key.get(), keyPem));
                builder.keyManager(new ByteArrayInputStream(certPem), new ByteArrayInputStream(keyPem));
            }
        } catch (IOException e) {
            // Only reading a byte array in memory is left to fail here; the files were read above.
            throw new IllegalStateException(e);
        }
        return builder.build();
    }

    private static byte[] read(String key, String path) {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(key + ": cannot read " + path + ": " + e, e);
        }
    }

    private static X509Certificate[] certificates(String key, String path, byte[] pem) {
        X509Certificate[] certificates;
        try {
            certificates = CertificateUtils.getX509Certificates(new ByteArrayInputStream(pem));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(key + ": " + path + " is not a PEM file of X.509 certificates: " + e, e);
        }
        if (certificates.length == 0) {
            throw new IllegalArgumentException(key + ": " + path + " holds no certificate");
        }
        return certificates;
    }

    private static PrivateKey privateKey(String path, byte[] pem) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
            String found = text.contains("-----BEGIN RSA PRIVATE KEY-----") ? "a PKCS#1 RSA key"
                    : text.contains("-----BEGIN EC PRIVATE KEY-----") ? "a SEC 1 EC key"
                    : text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") ? "an encrypted key"
                    : "no private key";
            throw new IllegalArgumentException(KEY + ": " + path + " holds " + found + "; give an unencrypted"
                    + " PKCS#8 key (BEGIN PRIVATE KEY), e.g. from: openssl pkcs8 -topk8 -nocrypt -in <key> -out <key.pem>");
        }
        try {
            return CertificateUtils.getPrivateKey(new ByteArrayInputStream(pem));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(KEY + ": " + path + " is not an RSA or EC PKCS#8 private key: " + e, e);
        }
    }

    /** A key that is not the certificate's would pass here and fail every handshake, as a node's refusal. */
    private static void requireSameKeyPair(X509Certificate certificate, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> throw new IllegalArgumentException(KEY + ": unsupported key algorithm " + key.getAlgorithm());
        };
        byte[] probe = "diagnostics.grid.tls key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false; // e.g. an EC key with an RSA certificate
        }
        if (!matches) {
            throw new IllegalArgumentException(KEY + " is not the private key of the first certificate in " + CERT);
        }
    }
}
