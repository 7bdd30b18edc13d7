package dev.wsgateway.gateway.config;

/**
 * The keys of a client TLS block ({@code gateway.upstream.tls}, {@code gateway.cluster.tls}), read by
 * {@code upstream.UpstreamTls}.
 */
final class TlsKeys {
    private TlsKeys() {
    }

    static ConfigKeys under(String prefix) {
        return ConfigKeys.of(prefix, "verify-certificates", "trust-store", "trust-store-password", "trust-store-type",
                             "key-store", "key-store-password", "key-store-type", "key-password");
    }
}
