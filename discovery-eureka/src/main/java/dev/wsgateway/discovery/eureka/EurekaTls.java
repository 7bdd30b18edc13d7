package dev.wsgateway.discovery.eureka;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS context the Eureka clients use: the configured trust store (else the JDK's), and the client certificate
 * when a key store is set. A store that cannot be read, or a key alias that names no key, stops the start with one
 * line naming the setting.
 */
final class EurekaTls {
    private static final String PREFIX = "discovery.eureka.tls.";

    private EurekaTls() {
    }

    /**
     * The context, or empty when neither a trust store nor a key store is configured (the JDK defaults apply).
     *
     * @param settings settings
     * @return context
     */
    static Optional<SSLContext> context(EurekaSettings settings) {
        EurekaClientSecurity security = settings.security();
        if (settings.trustStore().isEmpty() && !security.clientCertificate()) {
            return Optional.empty();
        }
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (settings.trustStore().isPresent()) {
                tmf.init(load(settings.trustStore().get(), settings.trustStorePassword(), "trust-store"));
            } else {
                tmf.init((KeyStore) null);
            }
            KeyManagerFactory kmf = null;
            if (security.clientCertificate()) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                char[] keyPassword = security.keyPassword().or(security::keyStorePassword)
                        .map(String::toCharArray).orElse(new char[0]);
                kmf.init(oneKey(security, keyPassword), keyPassword);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return Optional.of(context);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot set up TLS to Eureka: " + e.getMessage(), e);
        }
    }

    /**
     * A verifier that accepts any host name when {@code tls.verify-hostname} is off; empty (the JDK's strict check)
     * otherwise.
     *
     * @param security settings
     * @return verifier to install
     */
    static Optional<HostnameVerifier> hostnameVerifier(EurekaClientSecurity security) {
        return security.verifyHostname() ? Optional.empty() : Optional.of((host, session) -> true);
    }

    /**
     * A store holding only the key to offer: the one named by {@code tls.key-alias}, else the store's only key.
     */
    private static KeyStore oneKey(EurekaClientSecurity security, char[] keyPassword) throws GeneralSecurityException {
        Path path = security.keyStore().orElseThrow();
        KeyStore store = load(path, security.keyStorePassword(), "key-store");
        List<String> keys = new ArrayList<>();
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                keys.add(alias);
            }
        }
        String alias;
        if (security.keyAlias().isPresent()) {
            alias = keys.stream().filter(a -> a.equalsIgnoreCase(security.keyAlias().get())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            PREFIX + "key-alias " + security.keyAlias().get() + " names no key in " + path
                                    + " (keys: " + keys + ")"));
        } else if (keys.size() == 1) {
            alias = keys.getFirst();
        } else {
            throw new IllegalArgumentException(PREFIX + "key-store " + path + " holds " + keys.size()
                                                       + " keys " + keys + ": set " + PREFIX + "key-alias");
        }
        Key key;
        try {
            key = store.getKey(alias, keyPassword);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(PREFIX + "key-password does not open key " + alias + " of " + path
                                                       + ": " + e.getMessage());
        }
        Certificate[] chain = store.getCertificateChain(alias);
        if (!(key instanceof PrivateKey) || chain == null || chain.length == 0) {
            throw new IllegalArgumentException(PREFIX + "key-alias " + alias + " of " + path
                                                       + " is not a private key with a certificate");
        }
        KeyStore single = KeyStore.getInstance("PKCS12");
        try {
            single.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        single.setKeyEntry(alias, key, keyPassword, chain);
        return single;
    }

    private static KeyStore load(Path path, Optional<String> password, String key) {
        if (!java.nio.file.Files.isRegularFile(path)) {
            throw new IllegalArgumentException("Cannot load " + PREFIX + key + " " + path + ": no such file");
        }
        try {
            // the type (PKCS12, JKS) is detected from the file
            return KeyStore.getInstance(path.toFile(), password.map(String::toCharArray).orElse(null));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot load " + PREFIX + key + " " + path + ": " + e.getMessage(), e);
        }
    }
}
