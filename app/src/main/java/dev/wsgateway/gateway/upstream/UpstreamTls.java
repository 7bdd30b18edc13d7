package dev.wsgateway.gateway.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import dev.wsgateway.gateway.config.TlsKeys;

import io.helidon.common.config.Config;
import io.helidon.common.tls.Tls;

/**
 * Client TLS of the gateway's connections to secure instances ({@code wss}, from {@code gateway.upstream.tls}) and to
 * the other gateways' observe endpoints ({@code gateway.cluster.tls}): certificates validated against a trust store
 * (default: the JDK's), host names verified, TLS 1.2+ only, an optional client certificate (mutual TLS), and a loudly
 * logged switch that turns verification off for labs.
 */
public final class UpstreamTls {
    private static final System.Logger LOGGER = System.getLogger(UpstreamTls.class.getName());

    private UpstreamTls() {
    }

    /**
     * Build the client TLS.
     *
     * @param config the {@code gateway.upstream.tls} or {@code gateway.cluster.tls} node (may be missing)
     * @return client TLS
     */
    public static Tls create(Config config) {
        String node = config.key().toString();
        boolean verify = config.get("verify-certificates").asBoolean().orElse(TlsKeys.VERIFY_CERTIFICATES);
        try {
            TrustManager[] trust;
            if (!verify) {
                LOGGER.log(System.Logger.Level.WARNING, node + ".verify-certificates is false: TLS certificates and "
                        + "host names are NOT verified. Anyone on the network path can impersonate the other end. "
                        + "Use this for labs only.");
                trust = new TrustManager[] {new TrustEverything()};
            } else {
                KeyStore trustStore = config.get("trust-store").asString()
                        .map(path -> load(node, path, config.get("trust-store-type").asString().orElse(null),
                                          config.get("trust-store-password").asString().orElse("")))
                        .orElse(null);
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trustStore);       // null: the JDK's default trust (cacerts)
                trust = tmf.getTrustManagers();
            }
            KeyManager[] keys = null;
            if (config.get("key-store").exists()) {
                String password = config.get("key-store-password").asString().orElse("");
                KeyStore keyStore = load(node, config.get("key-store").asString().get(),
                                         config.get("key-store-type").asString().orElse(null), password);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keyStore, config.get("key-password").asString().orElse(password).toCharArray());
                keys = kmf.getKeyManagers();
                LOGGER.log(System.Logger.Level.INFO, node + ": the gateway presents a client certificate (mutual TLS)");
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return Tls.builder()
                    .sslContext(context)
                    .enabledProtocols(List.of("TLSv1.3", "TLSv1.2"))
                    .endpointIdentificationAlgorithm(verify ? Tls.ENDPOINT_IDENTIFICATION_HTTPS
                                                             : Tls.ENDPOINT_IDENTIFICATION_NONE)
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(node + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String node, String path, String type, String password) {
        Path file = Path.of(path);
        String storeType = type != null ? type
                : file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12";
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(storeType);
            store.load(in, password.toCharArray());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(node + ": cannot read " + storeType + " store " + path
                                                       + ": " + e.getMessage(), e);
        }
    }

    /**
     * Accepts any certificate: only with {@code verify-certificates: false}.
     */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
