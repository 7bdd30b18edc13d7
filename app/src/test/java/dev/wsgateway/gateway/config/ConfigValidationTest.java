package dev.wsgateway.gateway.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The configuration fails fast and clearly: unknown keys under the gateway's trees name their file and the closest
 * known key, values are checked for type and range, a YAML error names its file, and the demo runs only on the
 * embedded default. Files in a temporary directory; no server starts.
 */
class ConfigValidationTest {
    @TempDir
    Path dir;

    @Test
    void aTypoStopsTheStartWithItsFileAndTheClosestKnownKey() throws IOException {
        assertUnknown("gateway:\n  relay:\n    ping-intervall: PT5S\n", "gateway.relay.ping-intervall",
                      "did you mean `gateway.relay.ping-interval`?");
        assertUnknown("gateway:\n  relay:\n    max-frame-sise: 10\n", "gateway.relay.max-frame-sise",
                      "did you mean `gateway.relay.max-frame-size`?");
        assertUnknown("gateway:\n  balancing:\n    stratgy: round-robin\n", "gateway.balancing.stratgy",
                      "did you mean `gateway.balancing.strategy`?");
        // a wildcard segment (the service id) is kept in the suggestion
        assertUnknown("gateway:\n  security:\n    services:\n      orders:\n        auht: gateway\n",
                      "gateway.security.services.orders.auht", "did you mean `gateway.security.services.orders.auth`?");
        assertUnknown("demo:\n  echo:\n    enabeld: true\n", "demo.echo.enabeld", "did you mean `demo.echo.enabled`?");
        assertUnknown("management:\n  port: 10090\n", "management.port", "did you mean `gateway.management.port`?");
        assertUnknown("gateway:\n  something-else: 1\n", "gateway.something-else", "(see docs/CONFIGURATION.md)");
    }

    @Test
    void keysWithNamesAndFreeFormTreesAreKnownAndOtherTreesAreNotChecked() throws IOException {
        ConfigKeys known = GatewaySettings.KEYS.and(ConfigKeys.of("discovery.static", "services.*.serviceId",
                                                                  "services.*.instances.*.metadata-map.**"));
        GatewayConfig config = load("""
                server:
                  port: 0
                  anything: goes            # Helidon's tree: its own rules
                gateway:
                  failover:
                    services:
                      chat: false
                  health-checks:
                    services:
                      chat:
                        interval: PT1S
                  security:
                    users:
                      - login: alice
                        password: x
                        roles: [a, b]
                    default:
                      allowed-origins: ["https://a.example"]
                discovery:
                  static:
                    services:
                      - serviceId: chat
                        instances:
                          - metadata-map:
                              apiml.routes.ws_v1.serviceUrl: /chat
                              custom: {deep: {key: 1}}
                """);
        config.checkKeys(known);
    }

    @Test
    void valuesAreCheckedForTypeAndRange() {
        assertBad("gateway:\n  relay:\n    max-frame-size: -5\n",
                  "gateway.relay.max-frame-size = '-5': expected a whole number of bytes of at least 1");
        assertBad("gateway:\n  relay:\n    max-message-fragments: 0\n",
                  "gateway.relay.max-message-fragments = '0': expected a whole number of frames of at least 1");
        assertBad("gateway:\n  relay:\n    ping-interval: PT-1S\n",
                  "gateway.relay.ping-interval = 'PT-1S': expected an ISO-8601 duration of zero or more, such as PT5S");
        assertBad("gateway:\n  relay:\n    pong-timeout: 10\n",
                  "gateway.relay.pong-timeout = '10': expected an ISO-8601 duration such as PT5S");
        assertBad("gateway:\n  relay:\n    connect-timeout: PT0S\n",
                  "gateway.relay.connect-timeout = 'PT0S': expected an ISO-8601 duration above zero");
        assertBad("gateway:\n  failover:\n    enabled: yes please\n",
                  "gateway.failover.enabled = 'yes please': expected true or false");
        assertBad("gateway:\n  failover:\n    on-drain: move\n",
                  "gateway.failover.on-drain = 'move': expected one of stay, migrate");
        assertBad("gateway:\n  balancing:\n    strategy: random\n",
                  "gateway.balancing.strategy = 'random': expected round-robin, least-sessions or user-affinity");
        assertBad("gateway:\n  balancing:\n    max-ejected-percent: 150\n",
                  "gateway.balancing.max-ejected-percent = '150': expected a whole number of percent from 0 to 100");
        assertBad("gateway:\n  security:\n    limits:\n      handshake-rate: -1\n",
                  "gateway.security.limits.handshake-rate = '-1'");
        assertBad("gateway:\n  security:\n    observe:\n      protect: \"\"\n",
                  "gateway.security.observe.protect = '': expected true or false");
        assertBad("gateway:\n  management:\n    port: 70000\n", "gateway.management.port = '70000'");
        assertBad("gateway:\n  shutdown:\n    drain-period: 5s\n",
                  "gateway.shutdown.drain-period = '5s': expected an ISO-8601 duration such as PT5S");
        assertBad("gateway:\n  health-checks:\n    services:\n      chat:\n        unhealthy-threshold: 0\n",
                  "gateway.health-checks.services.chat.unhealthy-threshold = '0'");
        assertBad("gateway:\n  relay:\n    idle-timeout: [PT1S]\n",
                  "gateway.relay.idle-timeout: expected a single value, not a list or a block");
    }

    @Test
    void aValueIsTracedToWhereItWasSet() throws IOException {
        GatewayConfig config = load("gateway:\n  relay:\n    ping-interval: PT3S\n");
        assertThat(config.origin("gateway.relay.ping-interval").orElseThrow(), endsWith("gateway.yaml"));
        assertThat(config.origin("server.port").orElseThrow(), is("bundled application.yaml"));
        assertThat(config.origin("gateway.relay.pong-timeout").isEmpty(), is(true));
        List<String> described = config.describe(GatewaySettings.KEYS);
        assertThat(described.toString(), containsString("gateway.relay.ping-interval = PT3S    (" + dir));
        assertThat(described, hasItem("gateway.relay.pong-timeout = PT10S    (built-in default)"));
    }

    @Test
    void keysLeftAtTheirDefaultShowTheValueOrWhyThereIsNone() throws IOException {
        List<String> described = GatewayConfig.load(null).describe(GatewaySettings.KEYS);
        assertThat(described, hasItem("gateway.relay.max-message-size = 1048576    (built-in default)"));
        assertThat(described, hasItem("gateway.relay.idle-timeout = PT0S    (built-in default)"));
        assertThat(described, hasItem("gateway.failover.enabled = true    (built-in default)"));
        assertThat(described, hasItem("gateway.failover.replay-acknowledge = answer    (built-in default)"));
        assertThat(described, hasItem("gateway.security.observe.roles = [admin]    (built-in default)"));
        assertThat(described, hasItem("gateway.security.default.auth = passthrough    (built-in default)"));
        assertThat(described, hasItem("gateway.security.limits.handshake-rate = 200    (built-in default)"));
        assertThat(described, hasItem("gateway.security.zowe-jwt.max-age = PT1H    (built-in default)"));
        assertThat(described, hasItem("gateway.security.limits.max-sessions = 20000    "
                + "(built-in default; lowered at start to fit ulimit -n)"));
        assertThat(described, hasItem("gateway.management.host = (built-in default: computed at start from "
                + "server.host, see docs/CONFIGURATION.md)"));
        assertThat(described, hasItem("gateway.management.port = (not set: no default, see docs/CONFIGURATION.md)"));
        assertThat(described.stream().filter(l -> l.contains("(built-in default, see")).toList(), empty());
    }

    @Test
    void theDeclaredDefaultsAreTheOnesTheSettingsUse() {
        Config empty = Config.empty();
        RelaySettings relay = RelaySettings.create(empty.get("gateway.relay"));
        ConfigKeys keys = GatewaySettings.KEYS;
        assertThat(keys.defaultOf("gateway.relay.max-message-size").orElseThrow().value(),
                   is(String.valueOf(relay.maxMessageSize())));
        assertThat(keys.defaultOf("gateway.relay.ping-interval").orElseThrow().value(),
                   is(relay.pingInterval().toString()));
        SecuritySettings security = SecuritySettings.create(empty.get("gateway.security"));
        assertThat(keys.defaultOf("gateway.security.limits.retry-after").orElseThrow().value(),
                   is(security.retryAfter().toString()));
        assertThat(keys.defaultOf("gateway.security.limits.max-sessions").orElseThrow().value(),
                   is(String.valueOf(security.maxSessions())));
    }

    @Test
    void secretsAreMaskedInTheEffectiveConfiguration() throws IOException {
        GatewayConfig config = load("gateway:\n  upstream:\n    tls:\n      trust-store-password: hunter2\n");
        String described = config.describe(GatewaySettings.KEYS).toString();
        assertThat(described, containsString("gateway.upstream.tls.trust-store-password = ****"));
        assertThat(described, not(containsString("hunter2")));
    }

    @Test
    void aYamlErrorNamesTheFileAndTheLine() throws IOException {
        Path file = Files.writeString(dir.resolve("broken.yaml"), "gateway:\n  relay: [\n    x: : y\n");
        SettingException e = assertThrows(SettingException.class, () -> GatewayConfig.load(file.toString()));
        assertThat(e.getMessage(), containsString("Configuration file " + file + " is not valid YAML: line 3, column"));
        assertThat(e.getMessage().lines().count(), is(1L));
    }

    @Test
    void aMissingFileIsNamed() {
        SettingException e = assertThrows(SettingException.class,
                                          () -> GatewayConfig.load(dir.resolve("nope/x.yaml").toString()));
        assertThat(e.getMessage(), is("Configuration file " + dir.resolve("nope/x.yaml") + " does not exist"));
    }

    @Test
    void theDemoRunsOnlyOnTheEmbeddedDefaultOrWhenAUserFileAsksForIt() throws IOException {
        Config embedded = GatewayConfig.load(null).config();
        assertThat(ServerSettings.create(embedded).demoEcho(), is(true));
        assertThat(embedded.get("discovery.static.services.0.serviceId").asString().get(), is("echo"));

        Config userFile = load("gateway:\n  relay:\n    ping-interval: PT3S\n").config();
        assertThat(ServerSettings.create(userFile).demoEcho(), is(false));
        assertThat(userFile.get("discovery.static.services").exists(), is(false));

        Config asked = load("demo:\n  echo:\n    enabled: true\n    port: 10099\n").config();
        assertThat(ServerSettings.create(asked).demoEcho(), is(true));
        assertThat(ServerSettings.create(asked).demoPort(), is(10099));
        assertThat(asked.get("discovery.static.services.0.serviceId").asString().get(), is("echo"));
    }

    @Test
    void closestIsWithinAFewEdits() {
        assertThat(ConfigKeys.distance("stratgy", "strategy"), is(1));
        assertThat(ConfigKeys.distance("ping-intervall", "ping-interval"), is(1));
        assertThat(GatewaySettings.KEYS.closest("gateway.totally.different.thing").isEmpty(), is(true));
    }

    private void assertUnknown(String yaml, String key, String hint) throws IOException {
        GatewayConfig config = load(yaml);
        SettingException e = assertThrows(SettingException.class, () -> config.checkKeys(GatewaySettings.KEYS));
        assertThat(e.getMessage(), is("Unknown configuration key " + key + " in " + dir.resolve("gateway.yaml")
                + (hint.startsWith("(") ? " " : ": ") + hint));
        assertThat(e.key(), is(key));
    }

    private static void assertBad(String yaml, String message) {
        Config root = Config.just(ConfigSources.create(yaml, MediaTypes.APPLICATION_X_YAML));
        SettingException e = assertThrows(SettingException.class, () -> GatewaySettings.create(root), yaml);
        assertThat(e.getMessage(), containsString(message));
    }

    private GatewayConfig load(String yaml) throws IOException {
        return GatewayConfig.load(Files.writeString(dir.resolve("gateway.yaml"), yaml).toString());
    }
}
