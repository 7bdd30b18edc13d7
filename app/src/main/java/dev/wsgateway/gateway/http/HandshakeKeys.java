package dev.wsgateway.gateway.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The keys of the RFC 6455 opening handshake: {@code Sec-WebSocket-Key} and its {@code Sec-WebSocket-Accept}.
 */
public final class HandshakeKeys {
    private static final byte[] ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom NONCES = new SecureRandom();
    private static final MessageDigest SHA1 = sha1();

    private HandshakeKeys() {
    }

    /**
     * {@code Sec-WebSocket-Accept} for a key.
     *
     * @param key the {@code Sec-WebSocket-Key} value
     * @return accept value
     */
    public static String accept(String key) {
        MessageDigest sha1 = fresh();
        sha1.update(key.getBytes(StandardCharsets.US_ASCII));
        sha1.update(ACCEPT_GUID);
        return Base64.getEncoder().encodeToString(sha1.digest());
    }

    /**
     * A SHA-1 digest of its own: a copy of an unused one, without looking the algorithm up in the providers again
     * (two lookups per session open otherwise).
     */
    private static MessageDigest fresh() {
        try {
            return (MessageDigest) SHA1.clone();
        } catch (CloneNotSupportedException e) {
            return sha1();
        }
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by RFC 6455", e);
        }
    }

    /**
     * A fresh {@code Sec-WebSocket-Key}.
     *
     * @return 16 random bytes, base64-encoded
     */
    public static String newKey() {
        byte[] nonce = new byte[16];
        NONCES.nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /**
     * Whether a client's key is 16 bytes base64-encoded.
     *
     * @param key header value, may be {@code null}
     * @return whether valid
     */
    public static boolean isValid(String key) {
        try {
            return key != null && Base64.getDecoder().decode(key.trim()).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
