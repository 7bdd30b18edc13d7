package dev.wsgateway.discovery.zowestatic;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.wsgateway.discovery.SettingDurations;

import io.helidon.common.config.Config;

/**
 * Settings of the Zowe static definitions backend, read from the {@code discovery.zowe-static} node.
 *
 * @param directories           directories whose {@code *.yml} files are read ({@code directories}: a list, or one
 *                              string separated by {@code ;} as Zowe's {@code ZWE_STATIC_DEFINITIONS_DIR}, which is
 *                              also read when the key is absent)
 * @param reloadIntervalSeconds how often the files are checked for changes ({@code reload-interval}, an ISO-8601
 *                              duration of whole seconds; {@code PT0S} = read once at start)
 */
public record ZoweStaticSettings(List<Path> directories, int reloadIntervalSeconds) {
    private static final String PREFIX = "discovery.zowe-static.";
    /** The keys read here, relative to {@code discovery.zowe-static}. */
    static final List<String> KEYS = List.of("directories", "directories.*", "reload-interval");
    private static final Duration RELOAD_INTERVAL = Duration.ofSeconds(5);
    /** Fixed defaults, relative to {@code discovery.zowe-static}, as written in a file. */
    static final Map<String, String> DEFAULTS = java.util.Map.of("reload-interval",
                                                                           RELOAD_INTERVAL.toString());
    /** Keys whose default is derived at start ({@code directories}: env {@code ZWE_STATIC_DEFINITIONS_DIR}). */
    static final List<String> COMPUTED = List.of("directories");

    public ZoweStaticSettings {
        if (directories.isEmpty()) {
            throw new IllegalArgumentException(PREFIX + "directories must name at least one directory "
                                                       + "(or set ZWE_STATIC_DEFINITIONS_DIR)");
        }
        for (Path dir : directories) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException(PREFIX + "directories: " + dir + " is not a directory");
            }
        }
        directories = List.copyOf(directories);
        if (reloadIntervalSeconds < 0) {
            throw new IllegalArgumentException(PREFIX + "reload-interval must not be negative, was "
                                                       + reloadIntervalSeconds);
        }
    }

    /**
     * Read settings; {@code reload-interval} defaults to 5 s.
     *
     * @param config the {@code discovery.zowe-static} node
     * @return settings
     */
    public static ZoweStaticSettings from(Config config) {
        Config node = config.get("directories");
        if (!node.exists()) {
            // environment variable ZWE_STATIC_DEFINITIONS_DIR (Helidon maps it to zwe.static.definitions.dir)
            node = config.root().get("zwe.static.definitions.dir");
        }
        List<Path> directories = new ArrayList<>();
        if (node.isLeaf()) {
            node.asString().asOptional().ifPresent(v -> split(v, directories));
        } else if (node.exists()) {
            node.asNodeList().orElse(List.of())
                    .forEach(child -> child.asString().asOptional().ifPresent(v -> split(v, directories)));
        }
        Duration reload = SettingDurations.read(config.get("reload-interval"), PREFIX + "reload-interval",
                                                RELOAD_INTERVAL, true);
        return new ZoweStaticSettings(directories, (int) reload.toSeconds());
    }

    private static void split(String value, List<Path> into) {
        for (String part : value.split(";")) {
            if (!part.isBlank()) {
                into.add(Path.of(part.trim()));
            }
        }
    }
}
