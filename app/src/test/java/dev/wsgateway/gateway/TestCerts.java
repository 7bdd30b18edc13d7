package dev.wsgateway.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Throwaway test certificates, made at test time with the JDK's {@code keytool} in a temporary directory (nothing
 * private is committed): a test CA and its trust store, a server certificate for {@code localhost}/127.0.0.1, one
 * for a wrong host name, a self-signed one, and a client certificate for mutual TLS. All stores are PKCS12 with
 * password {@value #PASSWORD} and the private key under alias {@code "1"} (Helidon's default).
 */
final class TestCerts {
    static final String PASSWORD = "changeit";

    final Path dir;
    final Path trustStore;      // the test CA as a trusted entry
    final Path server;          // CN=localhost, SAN dns:localhost, ip:127.0.0.1, signed by the CA
    final Path wrongHost;       // SAN dns:wrong.example, signed by the CA
    final Path selfSigned;      // SAN dns:localhost, ip:127.0.0.1, self-signed (not trusted)
    final Path client;          // CN=gateway-client, signed by the CA (mutual TLS)

    private TestCerts(Path dir) {
        this.dir = dir;
        this.trustStore = dir.resolve("trust.p12");
        this.server = dir.resolve("server.p12");
        this.wrongHost = dir.resolve("wrong-host.p12");
        this.selfSigned = dir.resolve("self-signed.p12");
        this.client = dir.resolve("client.p12");
    }

    static TestCerts create() throws Exception {
        Path dir = Files.createTempDirectory("wsgateway-test-certs");
        TestCerts certs = new TestCerts(dir);
        Path ca = dir.resolve("ca.p12");
        Path caPem = dir.resolve("ca.pem");
        CompletableFuture<Void> self = CompletableFuture.runAsync(() -> keytool(
                "-genkeypair", "-alias", "1", "-keyalg", "EC", "-dname", "CN=localhost",
                "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", certs.selfSigned.toString()));
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=wsgateway test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", ca.toString());
        keytool("-exportcert", "-alias", "ca", "-rfc", "-file", caPem.toString(), "-keystore", ca.toString());
        CompletableFuture<Void> trust = CompletableFuture.runAsync(() -> keytool(
                "-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(),
                "-keystore", certs.trustStore.toString()));
        CompletableFuture<Void> server = CompletableFuture.runAsync(
                () -> signed(ca, caPem, certs.server, "CN=localhost", "san=dns:localhost,ip:127.0.0.1"));
        CompletableFuture<Void> wrong = CompletableFuture.runAsync(
                () -> signed(ca, caPem, certs.wrongHost, "CN=wrong.example", "san=dns:wrong.example"));
        CompletableFuture<Void> client = CompletableFuture.runAsync(
                () -> signed(ca, caPem, certs.client, "CN=gateway-client", null));
        CompletableFuture.allOf(self, trust, server, wrong, client).get(60, TimeUnit.SECONDS);
        return certs;
    }

    private static void signed(Path ca, Path caPem, Path store, String dname, String san) {
        String name = store.getFileName().toString().replace(".p12", "");
        Path csr = store.resolveSibling(name + ".csr");
        Path pem = store.resolveSibling(name + ".pem");
        Path chain = store.resolveSibling(name + "-chain.pem");
        keytool("-genkeypair", "-alias", "1", "-keyalg", "EC", "-dname", dname,
                "-validity", "2", "-keystore", store.toString());
        keytool("-certreq", "-alias", "1", "-file", csr.toString(), "-keystore", store.toString());
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-infile", csr.toString(),
                                                       "-outfile", pem.toString(), "-rfc", "-validity", "2",
                                                       "-keystore", ca.toString()));
        if (san != null) {
            gencert.addAll(List.of("-ext", san));
        }
        keytool(gencert.toArray(String[]::new));
        try {
            Files.writeString(chain, Files.readString(pem) + Files.readString(caPem));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        keytool("-importcert", "-noprompt", "-alias", "1", "-file", chain.toString(), "-keystore", store.toString());
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-J-Xshare:auto"));
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Write the key (PKCS#8) and chain of a store as PEM files, for the PEM alternative of the server TLS.
     *
     * @return {key, chain}
     */
    static Path[] toPem(Path store) throws Exception {
        KeyStore ks = load(store);
        Key key = ks.getKey("1", PASSWORD.toCharArray());
        StringBuilder chain = new StringBuilder();
        for (Certificate c : ks.getCertificateChain("1")) {
            chain.append(pem("CERTIFICATE", c.getEncoded()));
        }
        String name = store.getFileName().toString().replace(".p12", "");
        Path keyPem = store.resolveSibling(name + "-key.pem");
        Path chainPem = store.resolveSibling(name + "-fullchain.pem");
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
        Files.writeString(chainPem, chain);
        return new Path[] {keyPem, chainPem};
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static KeyStore load(Path store) throws Exception {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            return ks;
        }
    }

    /**
     * Lines under {@code server:} for Helidon's server TLS from a PKCS12 keystore (key alias "1").
     */
    static String serverTls(Path keystore) {
        return """
                  tls:
                    private-key:
                      keystore:
                        passphrase: changeit
                        resource:
                          path: %s
                """.formatted(keystore);
    }

    /**
     * A client SSL context that trusts the test CA only.
     */
    SSLContext clientContext() throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(trustStore));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    void delete() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}
