package dev.wsgateway.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The cluster secret of the test gateways: one random secret in a file for the whole test JVM (deleted on exit), and
 * the YAML lines that turn the cluster view on with it.
 */
final class ClusterSecret {
    private static Path file;

    private ClusterSecret() {
    }

    /**
     * The file holding the secret (44 characters, {@code openssl rand -base64 32} style).
     *
     * @return its path
     */
    static synchronized Path file() {
        if (file == null) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            try {
                file = Files.createTempFile("cluster-secret", ".txt");
                Files.writeString(file, Base64.getEncoder().encodeToString(secret) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            file.toFile().deleteOnExit();
        }
        return file;
    }

    /**
     * Lines under {@code gateway:} that turn the cluster view on with the secret, then {@code more} lines under
     * {@code cluster:} (each indented by four spaces).
     *
     * @param more more {@code gateway.cluster} lines
     * @return YAML lines
     */
    static String yaml(String more) {
        return "  cluster:\n    enabled: true\n    secret-file: " + file() + "\n" + more;
    }
}
