package dev.wsgateway.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.wsgateway.gateway.config.ConfigKeys;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItems;

/**
 * docs/CONFIGURATION.md lists every key the gateway and its discovery backends read, once, and no key that nothing
 * reads. The keys the code reads are the ones its settings classes declare ({@code KEYS}, which also decide what a
 * configuration file may contain); {@code server.*} rows are Helidon's.
 */
class ConfigurationDocTest {
    /** First cell of a table row: a key in backticks. */
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\|");

    @Test
    void everyKeyReadIsDocumentedOnceAndEveryDocumentedKeyIsRead() throws IOException {
        List<String> rows = Files.readAllLines(Path.of("..", "docs", "CONFIGURATION.md")).stream()
                .map(ROW::matcher)
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .toList();
        Set<String> documented = new TreeSet<>();
        Set<String> twice = new TreeSet<>();
        for (String row : rows) {
            String key = row.replaceAll("<\\.\\.\\.>", "**").replaceAll("<[^>]+>", "*");
            if (!documented.add(key)) {
                twice.add(row);
            }
        }
        Set<String> read = read();

        Set<String> undocumented = new TreeSet<>(read);
        undocumented.removeAll(documented);
        Set<String> readNowhere = documented.stream()
                .filter(k -> !k.startsWith("server.") && !read.contains(k))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat("keys the code reads that docs/CONFIGURATION.md does not list", undocumented, empty());
        assertThat("keys docs/CONFIGURATION.md lists that nothing reads", readNowhere, empty());
        assertThat("keys listed more than once", twice, empty());
        // Helidon's keys the gateway reads itself
        assertThat(documented, hasItems("server.port", "server.host", "server.protocols.http_1_1.max-headers-size"));
    }

    /** A row: its key and its default cell. */
    private static final Pattern DEFAULT_CELL = Pattern.compile("^\\| `([^`]+)` \\| (.*?) \\| ");

    @Test
    void theDefaultColumnIsWhatTheCodeDeclares() throws IOException {
        ConfigKeys known = StartupCheck.known();
        List<String> wrong = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(Path.of("..", "docs", "CONFIGURATION.md"))) {
            Matcher row = DEFAULT_CELL.matcher(line);
            if (!row.find()) {
                continue;
            }
            String key = row.group(1);
            String cell = row.group(2);
            ConfigKeys.Default declared = known.defaultOf(key).orElse(null);
            if (declared == null) {
                continue;
            }
            String literal = cell.startsWith("`") && cell.indexOf('`', 1) > 0 ? cell.substring(1, cell.indexOf('`', 1))
                    : null;
            boolean ok = switch (declared.kind()) {
                // the value, alone or followed by a remark in parentheses
                case FIXED -> cell.equals("`" + declared.value() + "`") || cell.startsWith("`" + declared.value() + "` (");
                // derived: the cell says from what (it may quote the fallback of an environment variable)
                case COMPUTED -> !cell.equals("`" + literal + "`") || literal.startsWith("server.")
                        || known.patterns().stream().anyMatch(p -> p.equals(literal) || p.endsWith("." + literal));
                // none: no value stated as if it were one
                case NONE -> literal == null;
            };
            if (!ok) {
                wrong.add(key + ": docs say " + cell + ", the code declares " + declared.describe(key));
            }
        }
        assertThat("Default cells of docs/CONFIGURATION.md that differ from the code", wrong, empty());
    }

    @Test
    void everyConcreteKeyDeclaresItsDefault() {
        ConfigKeys known = StartupCheck.known();
        List<String> undeclared = known.patterns().stream()
                .filter(p -> !p.contains("*") && known.defaultOf(p).isEmpty())
                .toList();
        assertThat("keys without a declared default (ConfigKeys.withDefault, withComputed or withNoDefault; a discovery"
                           + " provider's defaults, computedDefaults or keysWithoutDefault)", undeclared, empty());
    }

    @Test
    void checkShowsTheDiscoveryBackendsDefaultsToo() {
        List<String> described = dev.wsgateway.gateway.config.GatewayConfig.load(null).describe(StartupCheck.known());
        assertThat(described, hasItems("discovery.eureka.fetch-interval = PT5S    (built-in default)",
                                       "discovery.eureka.app-name = GATEWAY    (built-in default)",
                                       "discovery.consul.retry.initial-delay = PT0.5S    (built-in default)",
                                       "discovery.zowe-static.reload-interval = PT5S    (built-in default)",
                                       "discovery.eureka.service-url = (built-in default: computed at start, "
                                               + "see docs/CONFIGURATION.md)",
                                       "discovery.consul.datacenter = (not set: no default, "
                                               + "see docs/CONFIGURATION.md)"));
        assertThat("keys shown without what their default is",
                   described.stream().filter(l -> l.endsWith("(built-in default, see docs/CONFIGURATION.md)")).toList(),
                   empty());
    }

    /** The declared patterns, without the second form of a list key ({@code roles} and {@code roles.*}). */
    private static Set<String> read() {
        List<String> patterns = StartupCheck.known().patterns();
        return patterns.stream()
                .filter(p -> !(p.endsWith(".*") && patterns.contains(p.substring(0, p.length() - 2))))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
