package dev.wsgateway.gateway.config;

/**
 * The keys of a client TLS block ({@code gateway.upstream.tls}, {@code gateway.cluster.tls}), read by
 * {@code upstream.UpstreamTls}.
 */
final class TlsKeys {
    private TlsKeys() {
    }

    /** {@code verify-certificates} when not set (also stated in {@code upstream.UpstreamTls}, which reads it). */
    static final boolean VERIFY_CERTIFICATES = true;

    static ConfigKeys under(String prefix) {
        return ConfigKeys.of(prefix, "verify-certificates", "trust-store", "trust-store-password", "trust-store-type",
                             "key-store", "key-store-password", "key-store-type", "key-password")
                .withDefault(prefix + ".verify-certificates", VERIFY_CERTIFICATES)
                .withNoDefault(prefix + ".trust-store", prefix + ".trust-store-password", prefix + ".key-store",
                               prefix + ".key-store-password")
                .withComputed(prefix + ".trust-store-type", "the store's file name (JKS for .jks, else PKCS12)")
                .withComputed(prefix + ".key-store-type", "the store's file name (JKS for .jks, else PKCS12)")
                .withComputed(prefix + ".key-password", prefix + ".key-store-password");
    }
}
