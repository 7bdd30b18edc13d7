package dev.wsgateway.discovery.zowestatic;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.wsgateway.discovery.Discovery;
import dev.wsgateway.discovery.ServiceRegistry;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The registry over real files in temporary directories; rounds are run by the test ({@code reload-interval: 0} and
 * {@link ZoweStaticRegistry#reload()}), except in the one test of the reload thread.
 */
class ZoweStaticRegistryTest {
    private static final Logger LOGGER = Logger.getLogger(ZoweStaticRegistry.class.getName());
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @TempDir
    Path one;
    @TempDir
    Path two;

    @BeforeEach
    void capture() {
        LOGGER.addHandler(handler);
    }

    @AfterEach
    void release() {
        LOGGER.removeHandler(handler);
    }

    @Test
    void twoDirectoriesThroughTheProviderWithZowesSeparator() throws Exception {
        Files.writeString(one.resolve("staticclient.yml"), ZoweDefinitionsTest.SAMPLE);
        Files.writeString(two.resolve("other.yaml"), service("other", 20000));
        Files.writeString(two.resolve("notes.txt"), "not a definition");
        try (ServiceRegistry registry = Discovery.create("zowe-static", Config.just(ConfigSources.create(
                Map.of("directories", one + ";" + two, "reload-interval", "PT0S"))))) {
            assertThat(registry.ready(), is(true));
            assertThat(registry.services(), is(Set.of("staticclient", "other")));
            assertThat(registry.instances("StaticClient"), hasSize(2));
        }
    }

    @Test
    void aChangedFileIsReadAgainAndARemovedOneTakesItsServices() throws Exception {
        Path file = one.resolve("a.yml");
        Files.writeString(file, service("alpha", 20000));
        Files.writeString(one.resolve("b.yml"), service("beta", 20001));
        ZoweStaticRegistry registry = ZoweStaticRegistry.start(new ZoweStaticSettings(List.of(one), 0));
        List<Set<String>> changes = new CopyOnWriteArrayList<>();
        registry.addListener(changes::add);
        registry.reload();
        assertThat("nothing changed, nobody told", changes, hasSize(0));

        Files.writeString(file, service("alpha", 20002));
        registry.reload();
        assertThat(registry.instances("alpha").getFirst().port(), is(20002));
        assertThat(changes, is(List.of(Set.of("alpha"))));

        Files.delete(one.resolve("b.yml"));
        registry.reload();
        assertThat(registry.services(), is(Set.of("alpha")));
    }

    @Test
    void aBrokenFileKeepsItsLastGoodDefinitionsAndSaysWhyOnce() throws Exception {
        Path file = one.resolve("a.yml");
        Files.writeString(file, service("alpha", 20000));
        Files.writeString(one.resolve("b.yml"), service("beta", 20001));
        ZoweStaticRegistry registry = ZoweStaticRegistry.start(new ZoweStaticSettings(List.of(one), 0));

        Files.writeString(file, "services:\n  - serviceId: alpha\n    instanceBaseUrls: [ http://h/no-port ]\n");
        Files.writeString(one.resolve("b.yml"), service("beta", 20003));
        registry.reload();
        registry.reload();
        assertThat(registry.instances("alpha").getFirst().port(), is(20000));
        assertThat("the other file's change is taken", registry.instances("beta").getFirst().port(), is(20003));
        List<String> warnings = logged.stream()
                .filter(r -> r.getLevel() == java.util.logging.Level.WARNING)
                .map(LogRecord::getMessage)
                .toList();
        assertThat(warnings, hasSize(1));
        assertThat(warnings.getFirst(), containsString("a.yml is invalid"));
        assertThat(warnings.getFirst(), containsString("no port number"));
        assertThat(warnings.getFirst(), containsString("keeping its last good definitions (1 instances)"));

        Files.writeString(file, service("alpha", 20004));
        registry.reload();
        assertThat(registry.instances("alpha").getFirst().port(), is(20004));
    }

    @Test
    void aBrokenFileAtStartAddsNothingAndTheOthersServe() throws Exception {
        Files.writeString(one.resolve("a.yml"), "services: [ {");
        Files.writeString(one.resolve("b.yml"), service("beta", 20001));
        ZoweStaticRegistry registry = ZoweStaticRegistry.start(new ZoweStaticSettings(List.of(one), 0));
        assertThat(registry.ready(), is(true));
        assertThat(registry.services(), is(Set.of("beta")));
    }

    @Test
    void theReloadThreadPicksUpAChange() throws Exception {
        Path file = one.resolve("a.yml");
        Files.writeString(file, service("alpha", 20000));
        try (ZoweStaticRegistry registry = ZoweStaticRegistry.start(new ZoweStaticSettings(List.of(one), 1))) {
            Files.writeString(file, service("alpha", 20005));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (registry.instances("alpha").getFirst().port() != 20005 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(registry.instances("alpha").getFirst().port(), is(20005));
        }
    }

    @Test
    void settingsFailClosed() {
        assertThrows(IllegalArgumentException.class, () -> new ZoweStaticSettings(List.of(), 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                  () -> new ZoweStaticSettings(List.of(one.resolve("missing")), 5));
        assertThat(e.getMessage(), containsString("is not a directory"));
        assertThrows(IllegalArgumentException.class, () -> new ZoweStaticSettings(List.of(one), -1));
        assertThat(ZoweStaticSettings.from(Config.just(ConfigSources.create(Map.of("directories", one.toString()))))
                           .reloadIntervalSeconds(), is(5));
    }

    static String service(String id, int port) {
        return """
                services:
                  - serviceId: %s
                    title: unused by the gateway
                    instanceBaseUrls:
                      - http://127.0.0.1:%d/ctx
                    routes:
                      - gatewayUrl: ws/v1
                        serviceRelativeUrl: /ws
                """.formatted(id, port);
    }
}
