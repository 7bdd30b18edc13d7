package dev.wsgateway.discovery;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A route an instance announces in its metadata: gateway path prefix {@code gatewayUrl} (e.g. {@code ws/v1}) maps to
 * the instance path {@code serviceUrl} (e.g. {@code /discoverableclient/ws}).
 * <p>
 * Read from {@code apiml.routes.<name>.gatewayUrl}/{@code serviceUrl} (Zowe API ML) and from the legacy
 * {@code routed-services.<name>.gateway-url}/{@code service-url}.
 *
 * @param name       route name (the {@code <name>} in the keys)
 * @param gatewayUrl gateway prefix without leading or trailing {@code /}, lower case
 * @param serviceUrl service path, starting with {@code /}, no trailing {@code /} (root is the empty string)
 */
public record ServiceRoute(String name, String gatewayUrl, String serviceUrl) {
    private static final String APIML = "apiml.routes.";
    private static final String LEGACY = "routed-services.";
    /** Besides letters and digits, what RFC 3986 allows in a path: unreserved, sub-delims, ':', '@' and '/'. */
    private static final String PATH_CHARS = "-._~!$&'()*+,;=:@/";

    public ServiceRoute {
        gatewayUrl = trimSlashes(gatewayUrl).toLowerCase(java.util.Locale.ROOT);
        String s = trimSlashes(serviceUrl);
        serviceUrl = s.isEmpty() ? "" : "/" + s;
    }

    /**
     * All routes in an instance's metadata, {@code apiml.routes} first, each name once.
     *
     * @param metadata flat metadata
     * @return routes with both a gateway and a service URL
     */
    public static List<ServiceRoute> fromMetadata(Map<String, String> metadata) {
        List<ServiceRoute> routes = new ArrayList<>();
        collect(metadata, APIML, "gatewayUrl", "serviceUrl", routes);
        collect(metadata, LEGACY, "gateway-url", "service-url", routes);
        return List.copyOf(routes);
    }

    private static void collect(Map<String, String> metadata,
                                String prefix,
                                String gatewayKey,
                                String serviceKey,
                                List<ServiceRoute> routes) {
        Map<String, String[]> byName = new TreeMap<>();
        for (var entry : metadata.entrySet()) {
            String key = entry.getKey();
            if (!key.startsWith(prefix)) {
                continue;
            }
            String rest = key.substring(prefix.length());
            int dot = rest.lastIndexOf('.');
            if (dot <= 0) {
                continue;
            }
            String name = rest.substring(0, dot);
            String attribute = rest.substring(dot + 1);
            String[] pair = byName.computeIfAbsent(name, n -> new String[2]);
            if (attribute.equalsIgnoreCase(gatewayKey)) {
                pair[0] = entry.getValue();
            } else if (attribute.equalsIgnoreCase(serviceKey)) {
                pair[1] = entry.getValue();
            }
        }
        byName.forEach((name, pair) -> {
            if (pair[0] != null && pair[1] != null && routes.stream().noneMatch(r -> r.name().equals(name))) {
                routes.add(new ServiceRoute(name, pair[0], pair[1]));
            }
        });
        routes.sort(Comparator.comparing(ServiceRoute::name));
    }

    /**
     * What is wrong with a {@code serviceUrl}, if anything: it must be an absolute path ({@code /service/ws}), not a
     * full URL, without a query or fragment, with only characters a URI path may hold (or percent-escapes); empty
     * is the service's root, as {@code /}.
     *
     * @param serviceUrl the value as announced
     * @return the problem, empty when it is a usable path
     */
    public static Optional<String> problem(String serviceUrl) {
        String s = serviceUrl == null ? "" : serviceUrl.trim();
        if (s.isEmpty()) {
            // the service's root, as "/"
            return Optional.empty();
        }
        if (s.contains("://")) {
            return Optional.of("a full URL, not a path: announce the path only, such as /service/ws");
        }
        if (!s.startsWith("/") || s.startsWith("//")) {
            return Optional.of("not an absolute path such as /service/ws");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0
                        || Character.digit(s.charAt(i + 2), 16) < 0) {
                    return Optional.of("a broken percent-escape at position " + i);
                }
            } else if (!(c < 128 && (Character.isLetterOrDigit(c) || PATH_CHARS.indexOf(c) >= 0))) {
                return Optional.of("a character a URI path cannot hold at position " + i
                                           + (c == ' ' ? " (a space: write %20)" : ""));
            }
        }
        return Optional.empty();
    }

    /**
     * The problems of the {@code serviceUrl}s an instance announces.
     *
     * @param metadata flat metadata
     * @return one line per bad route ("route ws_v1: serviceUrl '...' is ..."), empty when all are usable
     */
    public static List<String> problems(Map<String, String> metadata) {
        List<String> problems = new ArrayList<>();
        for (var entry : metadata.entrySet()) {
            String key = entry.getKey();
            boolean apiml = key.startsWith(APIML) && key.endsWith(".serviceUrl");
            boolean legacy = key.startsWith(LEGACY) && key.endsWith(".service-url");
            if (apiml || legacy) {
                problem(entry.getValue()).ifPresent(p -> problems.add(key + " '" + entry.getValue() + "' is " + p));
            }
        }
        problems.sort(null);
        return problems;
    }

    /**
     * A path segment without white space and slashes around it ({@code " /ws/v1/ "} is {@code "ws/v1"}).
     *
     * @param s text, may be {@code null}
     * @return trimmed, empty for {@code null}
     */
    public static String trimSlashes(String s) {
        if (s == null) {
            return "";
        }
        String t = s.trim();
        int from = 0;
        int to = t.length();
        while (from < to && t.charAt(from) == '/') {
            from++;
        }
        while (to > from && t.charAt(to - 1) == '/') {
            to--;
        }
        return t.substring(from, to);
    }
}
