package dev.wsgateway.discovery.zowestatic;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.wsgateway.discovery.InMemoryRegistry;
import dev.wsgateway.discovery.ServiceInstance;

/**
 * The services of Zowe's static definition files. The files ({@code *.yml}, and {@code *.yaml}) of every directory
 * are read at start and then every {@code reload-interval}; a file whose text changed is parsed again. A file that
 * became invalid keeps its last good definitions (one warning line says why, once per change of the file); a file
 * that was removed takes its services with it. The view is the union of all files (sorted by directory, then name; an
 * instance id defined twice takes the later one), amended by every {@code additionalServiceMetadata}.
 * <p>
 * One thread reads the files; lookups answer from the last view and never wait for it.
 */
final class ZoweStaticRegistry extends InMemoryRegistry {
    private static final System.Logger LOGGER = System.getLogger(ZoweStaticRegistry.class.getName());

    private final ZoweStaticSettings settings;
    private final Map<Path, FileState> files = new LinkedHashMap<>();
    private final Map<Path, String> unreadableDirectories = new HashMap<>();
    private ScheduledExecutorService reloader;

    private record FileState(String text, ZoweDefinitions good) {
    }

    private ZoweStaticRegistry(ZoweStaticSettings settings) {
        this.settings = settings;
    }

    /**
     * Read the files once, then watch them.
     *
     * @param settings settings
     * @return registry with its first view
     */
    static ZoweStaticRegistry start(ZoweStaticSettings settings) {
        ZoweStaticRegistry registry = new ZoweStaticRegistry(settings);
        registry.reload();
        LOGGER.log(System.Logger.Level.INFO, "Zowe static definitions from {0}: {1} services, {2}",
                   settings.directories(), registry.services().size(),
                   settings.reloadIntervalSeconds() == 0 ? "not reloaded"
                           : "checked for changes every " + settings.reloadIntervalSeconds() + " s");
        if (settings.reloadIntervalSeconds() > 0) {
            registry.reloader = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "zowe-static-reload");
                t.setDaemon(true);
                return t;
            });
            registry.reloader.scheduleWithFixedDelay(registry::reloadSafely, settings.reloadIntervalSeconds(),
                                                     settings.reloadIntervalSeconds(), TimeUnit.SECONDS);
        }
        return registry;
    }

    private void reloadSafely() {
        try {
            reload();
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Zowe static definitions: reload failed, keeping the last view: "
                    + ZoweDefinitions.oneLine(String.valueOf(e)));
        }
    }

    /**
     * One round: read every file, parse those that changed, publish the view.
     */
    void reload() {
        Map<Path, Boolean> seen = new HashMap<>();
        for (Path dir : settings.directories()) {
            List<Path> listed = list(dir);
            if (listed == null) {
                // keep this directory's files as they were
                files.keySet().stream().filter(f -> dir.equals(f.getParent())).forEach(f -> seen.put(f, true));
                continue;
            }
            for (Path file : listed) {
                seen.put(file, true);
                read(file);
            }
        }
        for (Path gone : new ArrayList<>(files.keySet())) {
            if (!seen.containsKey(gone)) {
                files.remove(gone);
                LOGGER.log(System.Logger.Level.INFO, "Zowe static definitions: {0} was removed", gone);
            }
        }
        // every round publishes: it records the time of this round (the discovery age); listeners hear of changes only
        update(view());
    }

    private List<ServiceInstance> view() {
        Map<String, ServiceInstance> byId = new LinkedHashMap<>();
        List<ZoweDefinitions.Amendment> amendments = new ArrayList<>();
        files.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getValue().good())
                .filter(d -> d != null)
                .forEach(d -> {
                    d.instances().forEach(i -> byId.put(i.serviceId() + "/" + i.instanceId(), i));
                    amendments.addAll(d.amendments());
                });
        return ZoweDefinitions.amend(List.copyOf(byId.values()), amendments);
    }

    /**
     * Read one file; parse it when its text changed.
     */
    private void read(Path file) {
        FileState before = files.get(file);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            String reason = "cannot be read (" + e.getClass().getSimpleName() + ")";
            if (before == null || before.text() != null) {
                invalid(file, reason, before);
                files.put(file, new FileState(null, before == null ? null : before.good()));
            }
            return;
        }
        if (before != null && text.equals(before.text())) {
            return;
        }
        ZoweDefinitions parsed;
        try {
            parsed = ZoweDefinitions.parse(text);
        } catch (IllegalArgumentException e) {
            invalid(file, e.getMessage(), before);
            files.put(file, new FileState(text, before == null ? null : before.good()));
            return;
        }
        files.put(file, new FileState(text, parsed));
        LOGGER.log(System.Logger.Level.INFO, "Zowe static definitions: read {0} ({1} instances)",
                   file, parsed.instances().size());
    }

    private static void invalid(Path file, String reason, FileState before) {
        int kept = before == null || before.good() == null ? 0 : before.good().instances().size();
        LOGGER.log(System.Logger.Level.WARNING, "Zowe static definitions: " + file + " is invalid: "
                + ZoweDefinitions.oneLine(reason) + "; keeping its last good definitions (" + kept + " instances)");
    }

    private List<Path> list(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> found = entries
                    .filter(p -> {
                        String name = p.getFileName().toString();
                        return (name.endsWith(".yml") || name.endsWith(".yaml")) && Files.isRegularFile(p);
                    })
                    .sorted()
                    .toList();
            if (unreadableDirectories.remove(dir) != null) {
                LOGGER.log(System.Logger.Level.INFO, "Zowe static definitions: {0} can be read again", dir);
            }
            return found;
        } catch (IOException | RuntimeException e) {
            String reason = e.getClass().getSimpleName();
            if (!reason.equals(unreadableDirectories.put(dir, reason))) {
                LOGGER.log(System.Logger.Level.WARNING, "Zowe static definitions: cannot list " + dir + " (" + reason
                        + "); keeping its files' last good definitions");
            }
            return null;
        }
    }

    @Override
    public void close() {
        ScheduledExecutorService r = reloader;
        if (r != null) {
            r.shutdownNow();
        }
    }
}
