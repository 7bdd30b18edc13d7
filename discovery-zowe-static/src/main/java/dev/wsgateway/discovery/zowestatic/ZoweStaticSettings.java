package dev.wsgateway.discovery.zowestatic;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
        return new ZoweStaticSettings(directories, reloadInterval(config.get("reload-interval")));
    }

    /** An ISO-8601 duration of whole seconds; a plain number (the unit unsaid) stops the start. */
    private static int reloadInterval(Config node) {
        if (!node.exists()) {
            return 5;
        }
        String value = node.asString().orElse("").trim();
        try {
            Duration d = Duration.parse(value.toUpperCase(Locale.ROOT));
            if (!d.isNegative() && d.toNanos() % 1_000_000_000L == 0) {
                return (int) d.toSeconds();
            }
        } catch (DateTimeParseException e) {
            // the line below says what is expected
        }
        throw new IllegalArgumentException(PREFIX + "reload-interval = '" + value
                + "': expected an ISO-8601 duration of whole seconds, such as PT5S (PT0S: read once)");
    }

    private static void split(String value, List<Path> into) {
        for (String part : value.split(";")) {
            if (!part.isBlank()) {
                into.add(Path.of(part.trim()));
            }
        }
    }
}
