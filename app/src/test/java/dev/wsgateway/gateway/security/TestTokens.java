package dev.wsgateway.gateway.security;

import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;

/**
 * Keys made at test time, tokens signed with them, and a local JWKS endpoint that counts its fetches. Public for the
 * gateway's end-to-end test.
 */
public final class TestTokens {
    private TestTokens() {
    }

    /** A fresh RSA 2048 key pair. */
    public static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh EC P-256 key pair. */
    public static KeyPair ec() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Claims of a Zowe token: {@code sub}, {@code iss}, {@code iat}, {@code exp}. */
    public static String claims(String user, String issuer, Instant expires) {
        return "{\"sub\":\"" + user + "\",\"iat\":" + (expires.getEpochSecond() - 3600) + ",\"exp\":"
                + expires.getEpochSecond() + ",\"iss\":\"" + issuer + "\",\"jti\":\"t-1\"}";
    }

    /** A compact JWS: RS256 for an RSA key, ES256 for an EC key. */
    public static String sign(String kid, PrivateKey key, String claims) {
        boolean rsa = key.getAlgorithm().equals("RSA");
        String header = "{\"alg\":\"" + (rsa ? "RS256" : "ES256") + "\",\"typ\":\"JWT\""
                + (kid == null ? "" : ",\"kid\":\"" + kid + "\"") + "}";
        String input = b64(header) + "." + b64(claims);
        try {
            Signature s = Signature.getInstance(rsa ? "SHA256withRSA" : "SHA256withECDSAinP1363Format");
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token with {@code alg: none} and an empty signature. */
    public static String unsigned(String claims) {
        return b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims) + ".";
    }

    /** One JWK of a public key. */
    public static String jwk(String kid, KeyPair pair) {
        if (pair.getPublic() instanceof RSAPublicKey k) {
            return "{\"kty\":\"RSA\",\"kid\":\"" + kid + "\",\"use\":\"sig\",\"n\":\"" + unsigned(k.getModulus())
                    + "\",\"e\":\"" + unsigned(k.getPublicExponent()) + "\"}";
        }
        ECPublicKey k = (ECPublicKey) pair.getPublic();
        return "{\"kty\":\"EC\",\"kid\":\"" + kid + "\",\"crv\":\"P-256\",\"x\":\"" + unsigned(k.getW().getAffineX())
                + "\",\"y\":\"" + unsigned(k.getW().getAffineY()) + "\"}";
    }

    /** A JWK set of these JWKs. */
    public static String jwks(List<String> jwks) {
        return "{\"keys\":[" + String.join(",", jwks) + "]}";
    }

    static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unsigned(BigInteger n) {
        byte[] bytes = n.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * A JWKS endpoint on 127.0.0.1 serving whatever {@link #set} holds, counting fetches.
     */
    public static final class JwksServer implements AutoCloseable {
        private final HttpServer server;
        private final AtomicReference<String> body = new AtomicReference<>("{\"keys\":[]}");
        private final AtomicInteger fetches = new AtomicInteger();

        public JwksServer() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            server.createContext("/gateway/api/v1/auth/keys/public/all", exchange -> {
                fetches.incrementAndGet();
                byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            });
            server.start();
        }

        public void set(String jwks) {
            body.set(jwks);
        }

        public int fetches() {
            return fetches.get();
        }

        public String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/gateway/api/v1/auth/keys/public/all";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
