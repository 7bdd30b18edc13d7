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

    /** The declared patterns, without the second form of a list key ({@code roles} and {@code roles.*}). */
    private static Set<String> read() {
        List<String> patterns = StartupCheck.known().patterns();
        return patterns.stream()
                .filter(p -> !(p.endsWith(".*") && patterns.contains(p.substring(0, p.length() - 2))))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
