package dev.wsgateway.discovery.consul;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * How Consul's JSON becomes {@link ServiceInstance}s, and the gateway's metadata becomes Consul {@code Meta}.
 * <p>
 * Metadata of an instance: every tag of the form {@code key=value} (e.g. {@code apiml.routes.ws_v1.gatewayUrl=ws/v1}),
 * then every {@code Meta} entry (a key present in both wins from {@code Meta}). Consul's {@code Meta} keys allow only
 * letters, digits, {@code -} and {@code _}, so {@code apiml_routes_<name>_<attribute>} is also read as
 * {@code apiml.routes.<name>.<attribute>} (the attribute is what follows the last {@code _}).
 */
final class ConsulMapping {
    /** Meta key, or tag, saying the instance speaks TLS ({@code secure=true} in Meta or a tag, or a bare tag). */
    static final String SECURE = "secure";

    private static final System.Logger LOGGER = System.getLogger(ConsulMapping.class.getName());
    private static final String META_ROUTES = "apiml_routes_";
    private static final String ROUTES = "apiml.routes.";
    private static final int MAX_META_KEY = 128;
    private static final int MAX_META_VALUE = 512;

    private ConsulMapping() {
    }

    /**
     * Instances of a {@code /v1/health/service/<name>} answer. Entries that cannot be routed to (no port, no address)
     * are left out with a warning; entries that are not objects are skipped.
     *
     * @param service       the service name queried
     * @param entries       the answer: {@code [{Node, Service, Checks}]}
     * @param warningStatus status of an instance whose worst check is {@code warning}
     * @return instances
     */
    static List<ServiceInstance> instances(String service, JsonArray entries, InstanceStatus warningStatus) {
        Map<String, Integer> idCounts = new HashMap<>();
        List<JsonObject> objects = entries.stream()
                .filter(JsonObject.class::isInstance)
                .map(JsonObject.class::cast)
                .toList();
        for (JsonObject entry : objects) {
            idCounts.merge(string(object(entry, "Service"), "ID"), 1, Integer::sum);
        }
        List<ServiceInstance> instances = new ArrayList<>();
        for (JsonObject entry : objects) {
            JsonObject node = object(entry, "Node");
            JsonObject svc = object(entry, "Service");
            String id = string(svc, "ID");
            String nodeName = string(node, "Node");
            // a service ID is unique per agent only: the same ID on two nodes is told apart by the node
            String instanceId = idCounts.getOrDefault(id, 0) > 1 ? id + "@" + nodeName : id;
            String host = string(svc, "Address");
            if (host.isBlank()) {
                host = string(node, "Address");
            }
            List<String> tags = strings(svc.get("Tags"));
            Map<String, String> metadata = metadata(object(svc, "Meta"), tags);
            int port = svc.getInt("Port", 0);
            try {
                instances.add(new ServiceInstance(nonBlank(string(svc, "Service"), service),
                                                  instanceId,
                                                  host,
                                                  port,
                                                  secure(metadata, tags),
                                                  status(entry.get("Checks"), warningStatus),
                                                  metadata));
            } catch (RuntimeException e) {
                LOGGER.log(System.Logger.Level.WARNING, "Ignoring Consul instance {0} of {1} on node {2}: {3}",
                           instanceId, service, nodeName, e.getMessage());
            }
        }
        return instances;
    }

    /**
     * Flat metadata from tags ({@code key=value}) and {@code Meta}, with {@code apiml_routes_*} keys also in dotted form.
     *
     * @param meta the service's {@code Meta}
     * @param tags the service's tags
     * @return metadata
     */
    static Map<String, String> metadata(JsonObject meta, List<String> tags) {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (String tag : tags) {
            int eq = tag.indexOf('=');
            if (eq > 0) {
                metadata.put(tag.substring(0, eq).trim(), tag.substring(eq + 1).trim());
            }
        }
        for (Map.Entry<String, JsonValue> entry : meta.entrySet()) {
            String key = entry.getKey();
            String value = entry.getValue() instanceof JsonString s ? s.getString() : entry.getValue().toString();
            metadata.put(key, value);
            dotted(key).ifPresent(dotted -> metadata.put(dotted, value));
        }
        return metadata;
    }

    /**
     * {@code apiml_routes_ws_v1_gatewayUrl} as {@code apiml.routes.ws_v1.gatewayUrl}.
     */
    private static java.util.Optional<String> dotted(String metaKey) {
        if (!metaKey.startsWith(META_ROUTES)) {
            return java.util.Optional.empty();
        }
        String rest = metaKey.substring(META_ROUTES.length());
        int last = rest.lastIndexOf('_');
        if (last <= 0 || last == rest.length() - 1) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(ROUTES + rest.substring(0, last) + "." + rest.substring(last + 1));
    }

    /**
     * Whether the instance says it speaks TLS: metadata {@code secure=true} (from {@code Meta} or a tag), or a bare
     * tag {@code secure}.
     */
    static boolean secure(Map<String, String> metadata, List<String> tags) {
        return Boolean.parseBoolean(metadata.getOrDefault(SECURE, "false").trim())
                || tags.stream().anyMatch(t -> t.trim().equalsIgnoreCase(SECURE));
    }

    /**
     * The instance's status from all its checks (the node's and the service's): any {@code critical} (or a status
     * Consul does not document) makes it DOWN, OUT_OF_SERVICE when that check is a maintenance mode; otherwise any
     * {@code warning} gives {@code warningStatus}; otherwise (all passing, or no checks) UP.
     *
     * @param checks        the entry's {@code Checks}
     * @param warningStatus status for {@code warning}
     * @return status
     */
    static InstanceStatus status(JsonValue checks, InstanceStatus warningStatus) {
        if (!(checks instanceof JsonArray array)) {
            return InstanceStatus.UP;
        }
        boolean warning = false;
        boolean critical = false;
        boolean maintenance = false;
        for (JsonValue value : array) {
            JsonObject check = value instanceof JsonObject o ? o : JsonValue.EMPTY_JSON_OBJECT;
            switch (string(check, "Status").toLowerCase(Locale.ROOT)) {
            case "passing" -> { }
            case "warning" -> warning = true;
            default -> {
                critical = true;
                // consul maint: _node_maintenance / _service_maintenance:<id>
                maintenance |= string(check, "CheckID").startsWith("_node_maintenance")
                        || string(check, "CheckID").startsWith("_service_maintenance");
            }
            }
        }
        if (critical) {
            return maintenance ? InstanceStatus.OUT_OF_SERVICE : InstanceStatus.DOWN;
        }
        return warning ? warningStatus : InstanceStatus.UP;
    }

    /**
     * The gateway's metadata as Consul {@code Meta}: characters Consul refuses in keys (dots and others) become
     * {@code _}, so {@code apiml.service.title} is published as {@code apiml_service_title}; keys and values are cut
     * to Consul's limits.
     *
     * @param metadata flat metadata
     * @return Consul Meta
     */
    static Map<String, String> toMeta(Map<String, String> metadata) {
        Map<String, String> meta = new LinkedHashMap<>();
        metadata.forEach((key, value) -> {
            StringBuilder k = new StringBuilder(key.length());
            for (int i = 0; i < key.length() && k.length() < MAX_META_KEY; i++) {
                char c = key.charAt(i);
                boolean allowed = c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_');
                k.append(allowed ? c : '_');
            }
            if (!k.isEmpty()) {
                meta.put(k.toString(), value.length() > MAX_META_VALUE ? value.substring(0, MAX_META_VALUE) : value);
            }
        });
        return meta;
    }

    private static JsonObject object(JsonObject parent, String key) {
        return parent.get(key) instanceof JsonObject o ? o : JsonValue.EMPTY_JSON_OBJECT;
    }

    private static String string(JsonObject parent, String key) {
        return parent.get(key) instanceof JsonString s ? s.getString() : "";
    }

    private static List<String> strings(JsonValue value) {
        if (!(value instanceof JsonArray array)) {
            return List.of();
        }
        List<String> strings = new ArrayList<>(array.size());
        for (JsonValue v : array) {
            if (v instanceof JsonString s) {
                strings.add(s.getString());
            }
        }
        return strings;
    }

    private static String nonBlank(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
