package com.hydden.diagnostics.testing;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made for this run, issuing node and client certificates as PEM files in a
 * directory of the test's own: the files ops would hand to the server and to the nodes. Keys are EC P-256,
 * written as unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}).
 */
public final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final String name;
    private final KeyPair keys;
    private final X509Certificate certificate;

    private TestCertificates(Path dir, String name) {
        this.dir = dir;
        this.name = name;
        this.keys = ecKeys();
        X500Name subject = new X500Name("CN=" + name);
        try {
            this.certificate = sign(builder(subject, subject, keys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
                    keys.getPrivate());
        } catch (CertIOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new authority called {@code name}; its files go to {@code dir}. */
    public static TestCertificates authority(Path dir, String name) {
        return new TestCertificates(dir, name);
    }

    /** The authority's own certificate as PEM: the trust file. */
    public Path caPem() {
        return write(name + "-ca.pem", pem("CERTIFICATE", encoded(certificate)));
    }

    /**
     * A certificate for {@code dnsNames} and {@code ipAddresses} (the subject alternative names a client checks),
     * usable by a server and by a client, with its key.
     */
    public Issued issue(String file, String[] dnsNames, String... ipAddresses) {
        KeyPair subjectKeys = ecKeys();
        GeneralName[] names = new GeneralName[dnsNames.length + ipAddresses.length];
        for (int i = 0; i < dnsNames.length; i++) {
            names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        }
        for (int i = 0; i < ipAddresses.length; i++) {
            names[dnsNames.length + i] = new GeneralName(GeneralName.iPAddress, ipAddresses[i]);
        }
        try {
            X509v3CertificateBuilder builder = builder(new X500Name("CN=" + name), new X500Name("CN=" + file), subjectKeys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            if (names.length > 0) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            X509Certificate issued = sign(builder, keys.getPrivate());
            return new Issued(write(file + ".pem", pem("CERTIFICATE", encoded(issued))),
                    write(file + "-key.pem", pem("PRIVATE KEY", subjectKeys.getPrivate().getEncoded())));
        } catch (CertIOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A certificate and its private key, as PEM files. */
    public record Issued(Path certPem, Path keyPem) {
    }

    /**
     * What a TLS node serves with: {@code node}'s certificate, and when {@code clientCaPem} is given, a demand
     * for a client certificate signed by that authority.
     */
    public static ServerCredentials serverCredentials(Issued node, Path clientCaPem) {
        try {
            TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder()
                    .keyManager(node.certPem().toFile(), node.keyPem().toFile());
            if (clientCaPem != null) {
                builder.trustManager(clientCaPem.toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
            }
            return builder.build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes {@code dir} and the files in it. */
    public static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKeys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))),
                subject, subjectKeys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey) {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ecKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path write(String file, String content) {
        try {
            return Files.writeString(dir.resolve(file), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
