package dev.wsgateway.gateway.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * {@link GatewayClose} against the close-code table of the docs (the table whose columns are "to the client" and
 * "to the service", in {@code docs/ERRORS.md} when it exists, else in the README): every rule has its row, the codes
 * in the row are the rule's ({@code —} where the rule sends nothing), and a reason the row quotes is the rule's.
 */
class GatewayCloseTableTest {
    /**
     * Rules added on this branch whose rows the docs do not have yet (the README is being split; the rows are given
     * to the coordinator). Checked like the others as soon as a row names them.
     */
    private static final Set<GatewayClose> NOT_YET_DOCUMENTED = EnumSet.noneOf(GatewayClose.class);
    private static final Pattern QUOTED = Pattern.compile("`([^`]+)`");

    private record Row(String situation, String client, String service) {
    }

    @Test
    void everyRuleHasItsRowInTheDocs() throws IOException {
        List<Row> rows = closeTable();
        assertThat("rows in the close table", rows.isEmpty(), is(false));
        for (GatewayClose rule : GatewayClose.values()) {
            Row row = rows.stream()
                    .filter(r -> r.situation().toLowerCase(Locale.ROOT).contains(rule.situation().toLowerCase(
                            Locale.ROOT)))
                    .findFirst().orElse(null);
            if (row == null) {
                assertThat(rule + ": no row names '" + rule.situation() + "'", NOT_YET_DOCUMENTED.contains(rule),
                           is(true));
                continue;
            }
            check(rule, "client", rule.clientCode(), row.client(), rule.clientReasonText());
            check(rule, "service", rule.serviceCode(), row.service(), null);
        }
    }

    @Test
    void everyFixedReasonFitsACloseFrame() {
        for (GatewayClose rule : GatewayClose.values()) {
            String reason = rule.clientReason("");
            if (reason != null) {
                assertThat(rule + " reason bytes", reason.getBytes(StandardCharsets.UTF_8).length,
                           lessThanOrEqualTo(123));
            }
        }
    }

    private static void check(GatewayClose rule, String side, int code, String cell, String reason) {
        if (code == 0) {
            assertThat(rule + ": the " + side + " gets nothing", cell.startsWith("—") || cell.startsWith("nothing")
                    || cell.startsWith("connection dropped"), is(true));
            return;
        }
        assertThat(rule + ": code to the " + side, cell, containsString(String.valueOf(code)));
        Matcher quoted = QUOTED.matcher(cell);
        if (reason != null && quoted.find()) {
            String documented = quoted.group(1).replace("...", "").strip();
            assertThat(rule + ": reason '" + reason + "' vs documented '" + documented + "'",
                       reason.startsWith(documented) || documented.startsWith(reason.strip()), is(true));
        }
    }

    /**
     * The rows of the table with the columns "to the client" and "to the service".
     */
    private static List<Row> closeTable() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.exists(root.resolve("README.md"))) {
            root = root.getParent();
        }
        assertThat("README.md found above " + Path.of("").toAbsolutePath(), root != null, is(true));
        Path errors = root.resolve("docs/ERRORS.md");
        Path doc = Files.exists(errors) ? errors : root.resolve("README.md");
        List<Row> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : Files.readAllLines(doc, StandardCharsets.UTF_8)) {
            if (!line.startsWith("|")) {
                inTable = false;
                continue;
            }
            String[] cells = line.split("\\|");
            if (cells.length < 4) {
                continue;
            }
            String first = cells[1].strip();
            if (cells[2].strip().equals("to the client") && cells[3].strip().equals("to the service")) {
                inTable = true;
                continue;
            }
            if (inTable && !first.startsWith("---")) {
                rows.add(new Row(first, cells[2].strip(), cells[3].strip()));
            }
        }
        return rows;
    }
}
