package dev.wsgateway.discovery.zowestatic;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.Metadata;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRoute;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * One file in the format of Zowe's static API definitions ({@code ZWE_STATIC_DEFINITIONS_DIR}), read the way Zowe's
 * Discovery Service reads it ({@code ServiceDefinitionProcessor} of the api-layer repository):
 * <ul>
 *     <li>each entry of {@code services} with a {@code serviceId} (lower case letters, digits, {@code -}) has one
 *     instance per {@code instanceBaseUrls} entry {@code http(s)://host:port/contextPath}, always UP, with the id
 *     {@code STATIC-host:serviceId:port}; {@code https} means TLS ({@code wss});</li>
 *     <li>each route ({@code routes}, or its alias {@code routedServices}) {@code gatewayUrl: ws/v1},
 *     {@code serviceRelativeUrl: /ws} becomes {@code apiml.routes.ws-v1.gatewayUrl=ws/v1} and
 *     {@code apiml.routes.ws-v1.serviceUrl=/contextPath/ws}, as in Zowe's Eureka metadata;</li>
 *     <li>{@code customMetadata} is flattened into the metadata (after the routes, so it wins, as in Zowe), and
 *     {@code authentication.scheme}/{@code applid} become {@code apiml.authentication.scheme}/{@code applid};</li>
 *     <li>{@code additionalServiceMetadata} entries (with {@code mode: UPDATE}, the default, adding missing keys, or
 *     {@code FORCE_UPDATE}, replacing them) amend the instances of that service id in the whole view;</li>
 *     <li>what only the API Catalog uses ({@code title}, {@code description}, {@code catalogUiTileId},
 *     {@code catalogUiTiles}, {@code apiInfo}, the page URLs) and any key this class does not know are ignored.</li>
 * </ul>
 * A file with anything it cannot use (YAML syntax, a service without id or base URL, a base URL without host or port
 * or with another scheme, a route without {@code gatewayUrl}) is invalid as a whole.
 */
final class ZoweDefinitions {
    private static final Pattern SERVICE_ID = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
    private static final String ROUTES = "apiml.routes.";

    private final List<ServiceInstance> instances;
    private final List<Amendment> amendments;

    private ZoweDefinitions(List<ServiceInstance> instances, List<Amendment> amendments) {
        this.instances = List.copyOf(instances);
        this.amendments = List.copyOf(amendments);
    }

    /**
     * Metadata an {@code additionalServiceMetadata} entry adds to a service's instances.
     *
     * @param serviceId service id (lower case)
     * @param force     {@code FORCE_UPDATE}: replace keys the instance has
     * @param metadata  keys to add
     */
    record Amendment(String serviceId, boolean force, Map<String, String> metadata) {
    }

    /**
     * Parse one file.
     *
     * @param yaml the file's text
     * @return its definitions
     * @throws IllegalArgumentException with one line saying what is wrong
     */
    static ZoweDefinitions parse(String yaml) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new IllegalArgumentException("not valid YAML: " + oneLine(e.getMessage()));
        }
        if (root == null) {
            return new ZoweDefinitions(List.of(), List.of());
        }
        Map<?, ?> top = map(root, "the file");
        List<ServiceInstance> instances = new ArrayList<>();
        List<?> services = list(top.get("services"), "services");
        for (int i = 0; i < services.size(); i++) {
            instances.addAll(service(map(services.get(i), "services[" + i + "]"), "services[" + i + "]"));
        }
        List<Amendment> amendments = new ArrayList<>();
        List<?> additional = list(top.get("additionalServiceMetadata"), "additionalServiceMetadata");
        for (int i = 0; i < additional.size(); i++) {
            String where = "additionalServiceMetadata[" + i + "]";
            Map<?, ?> entry = map(additional.get(i), where);
            String mode = string(entry.get("mode"));
            boolean force = "FORCE_UPDATE".equalsIgnoreCase(mode);
            if (mode != null && !force && !"UPDATE".equalsIgnoreCase(mode)) {
                throw new IllegalArgumentException(where + ".mode must be UPDATE or FORCE_UPDATE, was " + mode);
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            authentication(entry, metadata);
            customMetadata(entry, where, metadata);
            amendments.add(new Amendment(serviceId(entry, where), force, metadata));
        }
        return new ZoweDefinitions(instances, amendments);
    }

    List<ServiceInstance> instances() {
        return instances;
    }

    List<Amendment> amendments() {
        return amendments;
    }

    /**
     * Apply amendments to instances (in order; a later one sees what an earlier one added).
     *
     * @param instances  instances of the whole view
     * @param amendments amendments of the whole view
     * @return amended instances
     */
    static List<ServiceInstance> amend(List<ServiceInstance> instances, List<Amendment> amendments) {
        if (amendments.isEmpty()) {
            return instances;
        }
        List<ServiceInstance> out = new ArrayList<>(instances.size());
        for (ServiceInstance instance : instances) {
            Map<String, String> metadata = new LinkedHashMap<>(instance.metadata());
            for (Amendment a : amendments) {
                if (a.serviceId().equals(instance.serviceId())) {
                    a.metadata().forEach((k, v) -> {
                        if (a.force()) {
                            metadata.put(k, v);
                        } else {
                            metadata.putIfAbsent(k, v);
                        }
                    });
                }
            }
            out.add(new ServiceInstance(instance.serviceId(), instance.instanceId(), instance.host(), instance.port(),
                                        instance.secure(), instance.status(), metadata));
        }
        return out;
    }

    private static List<ServiceInstance> service(Map<?, ?> service, String where) {
        String serviceId = serviceId(service, where);
        where = where + " (" + serviceId + ")";
        List<?> baseUrls = list(service.get("instanceBaseUrls"), where + ".instanceBaseUrls");
        if (baseUrls.isEmpty()) {
            throw new IllegalArgumentException(where + ".instanceBaseUrls must list at least one URL");
        }
        Object routesNode = service.containsKey("routes") ? service.get("routes") : service.get("routedServices");
        List<?> routes = list(routesNode, where + ".routes");
        List<ServiceInstance> instances = new ArrayList<>();
        for (Object baseUrl : baseUrls) {
            URI url = baseUrl(string(baseUrl), where);
            Map<String, String> metadata = new LinkedHashMap<>();
            String contextPath = url.getRawPath() == null ? "" : url.getRawPath();
            for (int i = 0; i < routes.size(); i++) {
                Map<?, ?> route = map(routes.get(i), where + ".routes[" + i + "]");
                String gatewayUrl = ServiceRoute.trimSlashes(string(route.get("gatewayUrl")));
                if (gatewayUrl.isEmpty()) {
                    throw new IllegalArgumentException(where + ".routes[" + i + "].gatewayUrl is missing");
                }
                String relative = string(route.get("serviceRelativeUrl"));
                String key = ROUTES + gatewayUrl.replace('/', '-') + ".";
                metadata.put(key + "gatewayUrl", gatewayUrl);
                metadata.put(key + "serviceUrl", join(contextPath, relative == null ? "" : relative));
            }
            authentication(service, metadata);
            customMetadata(service, where, metadata);
            boolean secure = "https".equalsIgnoreCase(url.getScheme());
            instances.add(new ServiceInstance(serviceId, "STATIC-" + url.getHost() + ":" + serviceId + ":" + url.getPort(),
                                              url.getHost(), url.getPort(), secure, InstanceStatus.UP, metadata));
        }
        return instances;
    }

    private static URI baseUrl(String value, String where) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(where + ".instanceBaseUrls has an empty entry");
        }
        URI url;
        try {
            url = URI.create(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": base URL " + value + " is malformed");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException(where + ": base URL " + value + " must start with http:// or https://");
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw new IllegalArgumentException(where + ": base URL " + value + " has no host name");
        }
        if (url.getPort() < 1) {
            throw new IllegalArgumentException(where + ": base URL " + value + " has no port number");
        }
        return url;
    }

    private static String serviceId(Map<?, ?> node, String where) {
        String id = string(node.get("serviceId"));
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException(where + ".serviceId is missing");
        }
        if (!SERVICE_ID.matcher(id).matches()) {
            throw new IllegalArgumentException(where + ".serviceId " + id
                                                       + " is not a Zowe service id (lower case letters, digits, -)");
        }
        return id;
    }

    private static void authentication(Map<?, ?> node, Map<String, String> metadata) {
        if (node.get("authentication") instanceof Map<?, ?> auth) {
            String scheme = string(auth.get("scheme"));
            String applid = string(auth.get("applid"));
            if (scheme != null) {
                metadata.put("apiml.authentication.scheme", scheme);
            }
            if (applid != null) {
                metadata.put("apiml.authentication.applid", applid);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void customMetadata(Map<?, ?> node, String where, Map<String, String> metadata) {
        Object custom = node.get("customMetadata");
        if (custom != null) {
            metadata.putAll(Metadata.flatten((Map<String, ?>) map(custom, where + ".customMetadata")));
        }
    }

    private static Map<?, ?> map(Object node, String where) {
        if (node instanceof Map<?, ?> m) {
            return m;
        }
        throw new IllegalArgumentException(where + " must be a mapping");
    }

    private static List<?> list(Object node, String where) {
        if (node == null) {
            return List.of();
        }
        if (node instanceof List<?> l) {
            return l;
        }
        throw new IllegalArgumentException(where + " must be a list");
    }

    private static String string(Object value) {
        return value == null ? null : String.valueOf(value);
    }

    /** Zowe appends the relative URL to the base URL's path; one slash where both have one. */
    private static String join(String contextPath, String relative) {
        if (contextPath.endsWith("/") && relative.startsWith("/")) {
            return contextPath + relative.substring(1);
        }
        return contextPath + relative;
    }

    static String oneLine(String message) {
        if (message == null) {
            return "no detail";
        }
        String line = message.replaceAll("\\s+", " ").trim();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
