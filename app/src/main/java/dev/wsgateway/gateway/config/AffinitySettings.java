package dev.wsgateway.gateway.config;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.helidon.common.config.Config;

/**
 * Instance affinity ({@code gateway.affinity}): naming the chosen instance on the 101, and letting clients choose one.
 *
 * @param instanceIdHeader   whether the client's 101 carries {@code X-InstanceId} with the instance the session went
 *                           to
 * @param clientChoice       default for services without an entry: whether a client's {@code X-InstanceId} request
 *                           header selects the instance
 * @param clientChoiceByService {@code services.<serviceId>.client-choice}
 */
public record AffinitySettings(boolean instanceIdHeader, boolean clientChoice, Map<String, Boolean> clientChoiceByService) {
    /** Header naming an instance, on the 101 and on a client's request. */
    public static final String INSTANCE_ID_HEADER = "X-InstanceId";
    private static final boolean INSTANCE_ID_HEADER_ON = false;
    private static final boolean CLIENT_CHOICE = false;
    /** The keys read here, with their defaults. */
    public static final ConfigKeys KEYS = ConfigKeys.of("gateway.affinity", "instance-id-header", "client-choice",
                                                        "services.*.client-choice")
            .withDefault("gateway.affinity.instance-id-header", INSTANCE_ID_HEADER_ON)
            .withDefault("gateway.affinity.client-choice", CLIENT_CHOICE);

    /**
     * Read from the {@code gateway.affinity} node.
     *
     * @param config the node
     * @return settings
     */
    public static AffinitySettings create(Config config) {
        boolean clientChoice = Values.bool(config.get("client-choice"), CLIENT_CHOICE);
        Map<String, Boolean> services = new HashMap<>();
        config.get("services").asNodeList().orElse(List.of()).forEach(
                node -> Values.optionalBool(node.get("client-choice")).ifPresent(
                        v -> services.put(node.name().toLowerCase(Locale.ROOT), v)));
        return new AffinitySettings(Values.bool(config.get("instance-id-header"), INSTANCE_ID_HEADER_ON), clientChoice,
                                    Map.copyOf(services));
    }

    /**
     * Whether clients may choose the instance of this service.
     *
     * @param serviceId service id
     * @return whether {@code X-InstanceId} on the request is honoured
     */
    public boolean clientChoice(String serviceId) {
        return clientChoiceByService.getOrDefault(serviceId, clientChoice);
    }
}
