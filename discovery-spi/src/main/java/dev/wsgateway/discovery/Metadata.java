package dev.wsgateway.discovery;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metadata helpers shared by backends.
 */
public final class Metadata {
    private Metadata() {
    }

    /**
     * Flatten nested maps (as YAML or a Spring {@code metadata-map} nests them) to dotted keys:
     * {@code {apiml: {routes: {ws_v1: {gatewayUrl: ws/v1}}}}} becomes {@code apiml.routes.ws_v1.gatewayUrl=ws/v1}.
     * Lists flatten with their index as the key segment.
     *
     * @param nested nested map
     * @return flat map, insertion ordered
     */
    public static Map<String, String> flatten(Map<String, ?> nested) {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", nested, flat);
        return flat;
    }

    private static void flatten(String prefix, Object value, Map<String, String> flat) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, v, flat));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(prefix + "." + i, list.get(i), flat);
            }
        } else if (value != null) {
            flat.put(prefix, String.valueOf(value));
        }
    }
}
