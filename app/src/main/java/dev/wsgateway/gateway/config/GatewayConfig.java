package dev.wsgateway.gateway.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;

/**
 * Loads configuration in layers, highest priority first: environment variables (Helidon's mapping, e.g.
 * {@code SERVER_PORT}, {@code DISCOVERY_TYPE}) and system properties, then a user file (first program argument or
 * env {@code GATEWAY_CONFIG}), then, only for the demo (no user file, or one that sets {@code demo.echo.enabled:
 * true}), the bundled {@code demo.yaml} (the echo service and its static route), then the bundled
 * {@code application.yaml}. Each layer is kept apart too, so that a key can be traced to where it was set and a key
 * under the gateway's own trees that nothing reads stops the start, naming its file.
 */
public final class GatewayConfig {
    private static final Pattern YAML_MARK = Pattern.compile("in '[^']*', (line \\d+, column \\d+):?");
    private static final Pattern SECRET = Pattern.compile("(?i).*(password|passphrase|secret|token|credential).*");

    private final Config config;
    private final List<Layer> layers;

    /**
     * One source of configuration.
     *
     * @param name   where it comes from, as an operator reads it (a file path, "environment variable", ...)
     * @param config the layer alone
     * @param file   whether it is a file the operator wrote (its keys are checked)
     */
    public record Layer(String name, Config config, boolean file) {
    }

    private GatewayConfig(Config config, List<Layer> layers) {
        this.config = config;
        this.layers = List.copyOf(layers);
    }

    /**
     * Load configuration.
     *
     * @param userFile path of a YAML (or properties) file layered over the defaults; {@code null} or blank for none
     * @return configuration
     * @throws SettingException when the user file does not exist or cannot be parsed
     */
    public static GatewayConfig load(String userFile) {
        List<Layer> layers = new ArrayList<>();
        List<Supplier<Supplier<? extends ConfigSource>>> sources = new ArrayList<>();
        sources.add(ConfigSources::environmentVariables);
        layers.add(new Layer("environment variable", alone(ConfigSources.environmentVariables()), false));
        sources.add(ConfigSources::systemProperties);
        layers.add(new Layer("system property", alone(ConfigSources.systemProperties()), false));
        boolean haveFile = userFile != null && !userFile.isBlank();
        if (haveFile) {
            Path path = Path.of(userFile).toAbsolutePath().normalize();
            if (!Files.isRegularFile(path)) {
                throw new SettingException("config", "Configuration file " + path + " does not exist", (Throwable) null);
            }
            if (!Files.isReadable(path)) {
                throw new SettingException("config", "Configuration file " + path + " cannot be read", (Throwable) null);
            }
            Config alone;
            try {
                alone = alone(ConfigSources.file(path));
            } catch (RuntimeException e) {
                throw new SettingException("config", "Configuration file " + path + " is not valid "
                        + (path.toString().endsWith(".properties") ? "properties" : "YAML") + ": " + parseProblem(e), e);
            }
            sources.add(() -> ConfigSources.file(path));
            layers.add(new Layer(path.toString(), alone, true));
        }
        Boolean demoWanted = null;
        for (Layer layer : layers) {
            Config enabled = layer.config().get("demo.echo.enabled");
            if (demoWanted == null && enabled.exists()) {
                demoWanted = Values.bool(enabled, false);
            }
        }
        if (demoWanted == null ? !haveFile : demoWanted) {
            sources.add(() -> ConfigSources.classpath("demo.yaml"));
            layers.add(new Layer("bundled demo.yaml", alone(ConfigSources.classpath("demo.yaml")), false));
        }
        sources.add(() -> ConfigSources.classpath("application.yaml"));
        layers.add(new Layer("bundled application.yaml", alone(ConfigSources.classpath("application.yaml")), true));
        Config.Builder builder = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource();
        sources.forEach(s -> builder.addSource(s.get()));
        return new GatewayConfig(builder.build(), layers);
    }

    /**
     * The merged configuration.
     *
     * @return configuration
     */
    public Config config() {
        return config;
    }

    /**
     * Where a key's value comes from: the highest layer that sets it.
     *
     * @param key full key
     * @return the layer's name, empty when no layer sets it (a built-in default)
     */
    public Optional<String> origin(String key) {
        for (Layer layer : layers) {
            if (layer.config().get(key).exists()) {
                return Optional.of(layer.name());
            }
        }
        return Optional.empty();
    }

    /**
     * Stop at the first key under the gateway's own trees that no part of the gateway reads, in a file or a system
     * property (environment variables are not checked: unrelated variables such as {@code GATEWAY_CONFIG} map into
     * the same trees).
     *
     * @param known every known key
     * @throws SettingException naming the key, its file and the closest known key
     */
    public void checkKeys(ConfigKeys known) {
        for (Layer layer : layers) {
            if (!layer.file() && !layer.name().equals("system property")) {
                continue;
            }
            for (String key : leaves(layer.config())) {
                if (ConfigKeys.owned(key) && !known.known(key)) {
                    throw new SettingException(key, "Unknown configuration key " + key + " in " + layer.name()
                            + known.closest(key).map(c -> ": did you mean `" + c + "`?")
                                    .orElse(" (see docs/CONFIGURATION.md)"), (Throwable) null);
                }
            }
        }
    }

    /**
     * The effective configuration under the gateway's own trees and {@code server}, one line per key: value and
     * origin, secrets masked; then the known keys left at their built-in default, with its value where the key
     * declares a fixed one ({@link ConfigKeys#withDefault}), else what it is derived from or that it has none.
     *
     * @param known every known key
     * @return lines
     */
    public List<String> describe(ConfigKeys known) {
        Map<String, String> lines = new LinkedHashMap<>();
        for (Layer layer : layers) {
            for (String key : leaves(layer.config())) {
                boolean shown = ConfigKeys.owned(key) ? known.known(key) : key.startsWith("server.");
                if (shown && !lines.containsKey(key) && origin(key).orElse("").equals(layer.name())) {
                    String value = config.get(key).asString().orElse("");
                    lines.put(key, key + " = " + (SECRET.matcher(key).matches() ? "****" : value) + "    ("
                            + layer.name() + (layer.name().equals("environment variable") ? " " + envName(key) : "")
                            + ")");
                }
            }
        }
        List<String> out = new ArrayList<>(lines.values().stream().sorted().toList());
        known.patterns().stream()
                .filter(p -> !p.contains("*") && !lines.containsKey(p) && !config.get(p).exists())
                .sorted()
                .forEach(p -> out.add(known.defaultOf(p).map(d -> d.describe(p))
                        .orElse(p + " = (built-in default, see docs/CONFIGURATION.md)")));
        return out;
    }

    private static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace("-", "_DASH_").replace('.', '_');
    }

    private static List<String> leaves(Config root) {
        return root.traverse().filter(Config::isLeaf).map(n -> n.key().toString()).toList();
    }

    private static Config alone(Supplier<? extends ConfigSource> source) {
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(source)
                .build();
    }

    /** The parser's problem and its line and column, on one line (SnakeYAML writes several, with the text). */
    static String parseProblem(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String[] lines = String.valueOf(root.getMessage()).split("\\R");
        List<String> kept = new ArrayList<>();
        String where = null;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].trim();
            boolean snippet = i + 1 < lines.length && lines[i + 1].trim().startsWith("^");
            if (line.isEmpty() || line.startsWith("^") || snippet) {
                continue;
            }
            Matcher mark = YAML_MARK.matcher(line);
            if (mark.matches()) {
                where = where == null ? mark.group(1) : where;
                continue;
            }
            if (!kept.contains(line)) {
                kept.add(line);
            }
        }
        return (where == null ? "" : where + ": ") + String.join(", ", kept);
    }
}
