package dev.wsgateway.gateway.config;

/**
 * The keys of a client TLS block ({@code gateway.upstream.tls}, {@code gateway.cluster.tls}), read by
 * {@code upstream.UpstreamTls}.
 */
public final class TlsKeys {
    /** {@code verify-certificates} when not set ({@code upstream.UpstreamTls} reads it with this default). */
    public static final boolean VERIFY_CERTIFICATES = true;

    private TlsKeys() {
    }

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
