package dev.wsgateway.gateway;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.wsgateway.discovery.Discovery;
import dev.wsgateway.discovery.DiscoveryProvider;
import dev.wsgateway.gateway.config.ConfigKeys;
import dev.wsgateway.gateway.config.GatewayConfig;
import dev.wsgateway.gateway.config.GatewaySettings;
import dev.wsgateway.gateway.config.SettingException;
import dev.wsgateway.gateway.config.Values;
import dev.wsgateway.gateway.config.ZoweTokenSettings;

import io.helidon.config.Config;
import io.helidon.webserver.WebServerConfig;

/**
 * Everything the configuration can be checked for before anything starts: values (type and range), the discovery
 * backend's settings, unknown keys under the gateway's own trees, and Helidon's server settings. {@code --check}
 * stops here; a start goes on with the same configuration.
 */
final class StartupCheck {
    /** Helidon's message when a value does not map to its type. */
    private static final Pattern MAPPING = Pattern.compile("Mapping of value '(.*?)' stored under key '(.*?)' has failed");
    private final GatewayConfig config;
    private final ConfigKeys known;

    private StartupCheck(GatewayConfig config, ConfigKeys known) {
        this.config = config;
        this.known = known;
    }

    /**
     * Check a loaded configuration.
     *
     * @param config loaded configuration
     * @return the checked configuration
     * @throws RuntimeException the first problem found
     */
    static StartupCheck run(GatewayConfig config) {
        Config root = config.config();
        ConfigKeys known = known();
        try {
            GatewaySettings settings = GatewaySettings.create(root);
            ZoweTokenSettings.create(root.get("gateway.security.zowe-jwt"));
            Values.choice(root.get("gateway.log.format"), GatewaySettings.LOG_FORMAT, "text", "json");
            String type = settings.server().discoveryType();
            DiscoveryProvider provider = Discovery.provider(type);
            provider.validate(root.get("discovery").get(provider.type()));
            config.checkKeys(known);
            Values.integer(root.get("server.port"), 0, 0, 65535, "port");
            root.get("server.sockets").asNodeList().orElse(List.of())
                    .forEach(socket -> Values.integer(socket.get("port"), 0, 0, 65535, "port"));
            try {
                WebServerConfig.builder().config(root.get("server")).buildPrototype();
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("server (Helidon's server settings): " + oneLine(e, config), e);
            }
        } catch (SettingException e) {
            throw new SettingException(e.key(), oneLine(e, config), e);
        }
        return new StartupCheck(config, known);
    }

    /**
     * The keys the gateway and every discovery backend on the class path read, with what each means when not set.
     *
     * @return known keys
     */
    static ConfigKeys known() {
        List<ConfigKeys> sets = new ArrayList<>();
        sets.add(GatewaySettings.KEYS);
        for (DiscoveryProvider provider : Discovery.providers()) {
            String prefix = "discovery." + provider.type() + ".";
            ConfigKeys keys = ConfigKeys.of("discovery." + provider.type(), provider.keys().toArray(String[]::new));
            for (var d : provider.defaults().entrySet()) {
                keys = keys.withDefault(prefix + d.getKey(), d.getValue());
            }
            for (String key : provider.computedDefaults()) {
                keys = keys.withComputed(prefix + key, "");
            }
            for (String key : provider.keysWithoutDefault()) {
                keys = keys.withNoDefault(prefix + key);
            }
            sets.add(keys);
        }
        return ConfigKeys.union(sets);
    }

    GatewayConfig config() {
        return config;
    }

    List<String> describe() {
        return config.describe(known);
    }

    /**
     * A fatal error as one line: a setting's problem with where the value was set, else the distinct messages of the
     * cause chain.
     *
     * @param e      the error
     * @param config the configuration, {@code null} when it could not be loaded
     * @return one line
     */
    static String oneLine(Throwable e, GatewayConfig config) {
        if (e instanceof SettingException s) {
            String origin = config == null ? null : config.origin(s.key()).orElse(null);
            String message = s.getMessage();
            return origin == null || message.contains(origin) ? message : message + " (set in " + origin + ")";
        }
        Matcher mapping = MAPPING.matcher(String.valueOf(e.getMessage()));
        if (mapping.find()) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String key = mapping.group(2);
            String origin = config == null ? null : config.origin(key).orElse(null);
            return key + " = '" + mapping.group(1) + "': not a valid value (" + root.getMessage() + ")"
                    + (origin == null ? "" : " (set in " + origin + ")");
        }
        Set<String> parts = new LinkedHashSet<>();
        for (Throwable t = e; t != null && parts.size() < 4; t = t.getCause() == t ? null : t.getCause()) {
            String m = (t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage())
                    .replaceAll("\\s+", " ").trim();
            if (parts.stream().noneMatch(p -> p.contains(m))) {
                parts.add(m);
            }
        }
        return String.join(": ", parts);
    }
}
