package dev.wsgateway.gateway.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.UnaryOperator;

import io.helidon.common.config.Config;

/**
 * The cluster view ({@code gateway.cluster}): whether a gateway asks the other gateways of its app
 * ({@code scope=cluster} on the observe endpoints), the secret the gateways of one cluster prove themselves with (every
 * request between gateways and every answer is signed with it, see {@code security.ClusterProof}), and the bounds of
 * a peer's answer. {@link #toString()} never shows the secret.
 *
 * @param enabled        {@code enabled}: ask the other gateways (off: the cluster view is this gateway alone)
 * @param secret         the cluster secret ({@code secret-file} or {@code secret-env}), empty when not enabled
 * @param peerTimeout    {@code peer-timeout}: bound of the connect and of the answer of one peer gateway
 * @param replayWindow   {@code replay-window}: how far a signed request's time may be from the receiver's clock; a
 *                       nonce is remembered for twice as long, so a request is accepted once
 * @param maxAnswerBytes {@code max-answer-bytes}: the largest answer read from a peer
 * @param tls            whether {@code tls} is set: peers are then always asked over https, whatever their
 *                       registration says
 */
public record ClusterSettings(boolean enabled, byte[] secret, Duration peerTimeout, Duration replayWindow,
                              int maxAnswerBytes, boolean tls) {
    /** The shortest cluster secret accepted, in bytes (256 bits; {@code openssl rand -base64 32} writes 44). */
    public static final int MIN_SECRET_BYTES = 32;
    private static final boolean ENABLED = false;
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REPLAY_WINDOW = Duration.ofSeconds(30);
    private static final int MAX_ANSWER_BYTES = 8 * 1024 * 1024;
    /** The keys read here (and by the peers' client TLS), with their defaults. */
    public static final ConfigKeys KEYS = ConfigKeys.of("gateway.cluster", "enabled", "secret-file", "secret-env",
                                                        "peer-timeout", "replay-window", "max-answer-bytes")
            .withDefault("gateway.cluster.enabled", ENABLED)
            .withNoDefault("gateway.cluster.secret-file", "gateway.cluster.secret-env")
            .withDefault("gateway.cluster.peer-timeout", PEER_TIMEOUT)
            .withDefault("gateway.cluster.replay-window", REPLAY_WINDOW)
            .withDefault("gateway.cluster.max-answer-bytes", MAX_ANSWER_BYTES)
            .and(TlsKeys.under("gateway.cluster.tls"));

    public ClusterSettings {
        if (peerTimeout.isNegative() || peerTimeout.isZero()) {
            throw new SettingException("gateway.cluster.peer-timeout", peerTimeout.toString(), "a positive duration");
        }
        if (replayWindow.isNegative() || replayWindow.isZero()) {
            throw new SettingException("gateway.cluster.replay-window", replayWindow.toString(), "a positive duration");
        }
        if (maxAnswerBytes <= 0) {
            throw new SettingException("gateway.cluster.max-answer-bytes", String.valueOf(maxAnswerBytes),
                                       "a positive number of bytes");
        }
        if (enabled && secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("gateway.cluster.enabled is true but the cluster secret is "
                    + (secret.length == 0 ? "not set" : "shorter than " + MIN_SECRET_BYTES + " bytes")
                    + ": set gateway.cluster.secret-file or gateway.cluster.secret-env to at least "
                    + MIN_SECRET_BYTES + " bytes, the same on every gateway of the cluster");
        }
        secret = secret.clone();
    }

    /**
     * Read from the {@code gateway.cluster} node; the secret from the file or environment variable it names.
     *
     * @param config the node
     * @return settings
     */
    public static ClusterSettings create(Config config) {
        return create(config, System::getenv);
    }

    static ClusterSettings create(Config config, UnaryOperator<String> environment) {
        boolean enabled = Values.bool(config.get("enabled"), ENABLED);
        return new ClusterSettings(enabled,
                                   enabled ? secret(config, environment) : new byte[0],
                                   Values.duration(config.get("peer-timeout"), PEER_TIMEOUT, false),
                                   Values.duration(config.get("replay-window"), REPLAY_WINDOW, false),
                                   Values.integer(config.get("max-answer-bytes"), MAX_ANSWER_BYTES, 1,
                                                  Integer.MAX_VALUE, "a positive number of bytes"),
                                   config.get("tls").exists());
    }

    /**
     * The secret from {@code secret-file} (its content, without surrounding white space) or {@code secret-env} (the
     * value of that environment variable); empty when neither is set. Error messages name the file or variable, never
     * the content.
     */
    private static byte[] secret(Config config, UnaryOperator<String> environment) {
        Optional<String> file = config.get("secret-file").asString().asOptional();
        Optional<String> env = config.get("secret-env").asString().asOptional();
        if (file.isPresent() && env.isPresent()) {
            throw new IllegalArgumentException("gateway.cluster: set secret-file or secret-env, not both");
        }
        if (file.isPresent()) {
            try {
                return Files.readString(Path.of(file.get()), StandardCharsets.UTF_8).strip()
                        .getBytes(StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("gateway.cluster.secret-file " + file.get() + " cannot be read ("
                                                           + e.getClass().getSimpleName() + ")");
            }
        }
        if (env.isPresent()) {
            String value = environment.apply(env.get());
            if (value == null) {
                throw new IllegalArgumentException("gateway.cluster.secret-env: environment variable " + env.get()
                                                           + " is not set");
            }
            return value.strip().getBytes(StandardCharsets.UTF_8);
        }
        return new byte[0];
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ClusterSettings o && enabled == o.enabled && Arrays.equals(secret, o.secret)
                && peerTimeout.equals(o.peerTimeout) && replayWindow.equals(o.replayWindow)
                && maxAnswerBytes == o.maxAnswerBytes && tls == o.tls;
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(enabled) * 31 + peerTimeout.hashCode();
    }

    @Override
    public String toString() {
        return "ClusterSettings[enabled=" + enabled + ", secret=" + (secret.length == 0 ? "none" : "***")
                + ", peerTimeout=" + peerTimeout + ", replayWindow=" + replayWindow + ", maxAnswerBytes="
                + maxAnswerBytes + ", tls=" + tls + "]";
    }
}
