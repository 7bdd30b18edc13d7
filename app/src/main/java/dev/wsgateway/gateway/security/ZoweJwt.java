package dev.wsgateway.gateway.security;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * Verification of a Zowe JWT (JWS compact form) with the JDK's signatures: the algorithm must be one of RS256/384/512
 * or ES256/384/512 (never {@code none}, never an HMAC, which a published key cannot check), the signature must
 * verify with a key of the key set, {@code exp} must be present and not past, {@code nbf} (if present) reached, and
 * {@code iss} equal to the expected issuer when one is set. The subject ({@code sub}) is the user.
 * <p>
 * Reasons of a rejection name the check that failed, never the token.
 */
final class ZoweJwt {
    private static final int MAX_TOKEN_LENGTH = 16 * 1024;
    private static final Map<String, String> JDK_ALGORITHMS = Map.of(
            "RS256", "SHA256withRSA",
            "RS384", "SHA384withRSA",
            "RS512", "SHA512withRSA",
            "ES256", "SHA256withECDSAinP1363Format",
            "ES384", "SHA384withECDSAinP1363Format",
            "ES512", "SHA512withECDSAinP1363Format");

    /**
     * Keys a token may be checked with.
     */
    interface KeySource {
        /**
         * Keys for a key id.
         *
         * @param kid key id of the token, empty when the token names none
         * @return candidate keys (when {@code kid} is set: the key of that id, after a refresh if it was unknown)
         */
        List<PublicKey> keys(Optional<String> kid);
    }

    /**
     * A token that is not admitted.
     */
    static final class Rejected extends Exception {
        Rejected(String reason) {
            super(reason, null, false, false);
        }
    }

    private ZoweJwt() {
    }

    /**
     * Verify a token and return its user.
     *
     * @param token    the compact JWS
     * @param keys     key source
     * @param issuer   required issuer, empty for any
     * @param clockSkew allowed clock difference
     * @param now      the current time
     * @return the user name ({@code sub})
     * @throws Rejected with the reason
     */
    static String verify(String token, KeySource keys, Optional<String> issuer, Duration clockSkew, Instant now)
            throws Rejected {
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new Rejected("token too long");
        }
        int first = token.indexOf('.');
        int second = token.indexOf('.', first + 1);
        if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) {
            throw new Rejected("not a signed JWT");
        }
        JsonObject header = json(token.substring(0, first), "header");
        String alg = string(header, "alg").orElseThrow(() -> new Rejected("no alg"));
        String jdkAlgorithm = JDK_ALGORITHMS.get(alg);
        if (jdkAlgorithm == null) {
            throw new Rejected("algorithm " + printable(alg) + " is not accepted");
        }
        byte[] signature = decode(token.substring(second + 1), "signature");
        byte[] signed = token.substring(0, second).getBytes(StandardCharsets.US_ASCII);
        List<PublicKey> candidates = keys.keys(string(header, "kid"));
        if (candidates.isEmpty()) {
            throw new Rejected(string(header, "kid").isPresent() ? "unknown key id" : "no key to check it with");
        }
        boolean verified = false;
        for (PublicKey key : candidates) {
            if (fits(alg, key) && verifies(jdkAlgorithm, key, signed, signature)) {
                verified = true;
                break;
            }
        }
        if (!verified) {
            throw new Rejected("signature does not verify");
        }
        JsonObject claims = json(token.substring(first + 1, second), "payload");
        long exp = seconds(claims, "exp").orElseThrow(() -> new Rejected("no exp"));
        if (now.minus(clockSkew).getEpochSecond() >= exp) {
            throw new Rejected("expired");
        }
        Optional<Long> nbf = seconds(claims, "nbf");
        if (nbf.isPresent() && now.plus(clockSkew).getEpochSecond() < nbf.get()) {
            throw new Rejected("not valid yet");
        }
        if (issuer.isPresent() && !issuer.get().equals(string(claims, "iss").orElse(null))) {
            throw new Rejected("issuer does not match");
        }
        String user = string(claims, "sub").orElseThrow(() -> new Rejected("no sub"));
        if (user.isEmpty() || user.length() > 64 || !user.equals(printable(user))) {
            throw new Rejected("sub is not a user name");
        }
        return user;
    }

    private static boolean fits(String alg, PublicKey key) {
        return alg.startsWith("RS") ? key instanceof RSAPublicKey : key instanceof ECPublicKey;
    }

    private static boolean verifies(String algorithm, PublicKey key, byte[] signed, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(key);
            verifier.update(signed);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // a key of the wrong curve or size, a signature of the wrong length: does not verify
            return false;
        }
    }

    private static JsonObject json(String part, String name) throws Rejected {
        byte[] bytes = decode(part, name);
        try (var reader = Json.createReader(new StringReader(new String(bytes, StandardCharsets.UTF_8)))) {
            return reader.readObject();
        } catch (JsonException | IllegalStateException e) {
            throw new Rejected(name + " is not a JSON object");
        }
    }

    private static byte[] decode(String part, String name) throws Rejected {
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new Rejected(name + " is not base64url");
        }
    }

    private static Optional<String> string(JsonObject object, String key) {
        JsonValue value = object.get(key);
        return value instanceof JsonString s ? Optional.of(s.getString()) : Optional.empty();
    }

    private static Optional<Long> seconds(JsonObject object, String key) throws Rejected {
        JsonValue value = object.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof JsonNumber n) {
            return Optional.of(n.longValue());
        }
        throw new Rejected(key + " is not a number");
    }

    /**
     * The text with every character outside printable ASCII replaced, for reasons that quote a token's field.
     */
    static String printable(String s) {
        return printable(s, 64);
    }

    static String printable(String s, int max) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && i < max; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return out.toString();
    }
}
