package io.nonativeleak.shim;

import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.report.Counts;
import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.PyFrame;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sites at scale: a live entry keeps a site id's low 16 bits in one word and the rest in the other (format.h), and
 * a site knows its Python frames by a fingerprint of all of them (tracker.c), not by the frames themselves.
 */
class ManySitesTest {
    private static final int SITES = 66_000; // ids past 2^16: the high byte lies in the key

    @TempDir
    Path work;

    @Test
    void blocksFromMoreThan65536LinesAreEachReportedAtTheirLine() throws Exception {
        // line k leaks one block of k bytes (line 1 imports)
        Path script = work.resolve("many_sites.py");
        Files.writeString(script, "import sys; sys.path.insert(0, '" + TestFixtures.directory() + "'); import leaky\n" + IntStream.rangeClosed(2, SITES + 1)
                .mapToObj(k -> "leaky.leak(1, " + k + ")\n").collect(Collectors.joining()));
        RunReport report = FixtureLauncher.prepare(FixtureSpec.script(script.toString())
                .patterns(List.of(TestFixtures.PATTERN)).python(TestFixtures.python())
                .baseDirectory(TestFixtures.directory()).reportDirectory(work).build()).run();

        assertThat(report.outcome()).as(report.reason()).isEqualTo(Outcome.LEAKED);
        long bytes = (long) (SITES + 1) * (SITES + 2) / 2 - 1;
        assertThat(report.leaked()).isEqualTo(new Counts(SITES, bytes));
        assertThat(report.sites()).hasSize(SITES);
        for (LeakSite site : report.sites()) {
            PyFrame line = site.pythonStack().stream().filter(f -> f.file().endsWith("many_sites.py")).findFirst().orElseThrow();
            assertThat(site.bytes()).as("the block leaked at line %d", line.line()).isEqualTo(line.line());
            assertThat(site.count()).isEqualTo(1);
        }
    }

    @Test
    void stacksThatDifferOnlyInTheirOutermostFrameBelowDeepRecursionAreTwoSites() throws Exception {
        // 40 identical frames of recursion between the leaking line and the two callers
        Path script = work.resolve("deep_callers.py");
        Files.writeString(script, String.join("\n",
                "import sys; sys.path.insert(0, '" + TestFixtures.directory() + "'); import leaky",
                "def deep(n, count):",
                "    if n: return deep(n - 1, count)",
                "    leaky.leak(count, 64)",
                "def outer_a(): deep(40, 3)",
                "def outer_b(): deep(40, 5)",
                "outer_a(); outer_b()", ""));
        RunReport report = FixtureLauncher.prepare(FixtureSpec.script(script.toString())
                .patterns(List.of(TestFixtures.PATTERN)).python(TestFixtures.python())
                .baseDirectory(TestFixtures.directory()).reportDirectory(work).build()).run();

        assertThat(report.outcome()).as(report.reason()).isEqualTo(Outcome.LEAKED);
        assertThat(report.sites()).extracting(site -> outermost(site) + " " + site.count())
                .containsExactlyInAnyOrder("outer_a 3", "outer_b 5");
    }

    private static String outermost(LeakSite site) {
        List<PyFrame> stack = site.pythonStack();
        return stack.stream().map(PyFrame::function).filter(f -> f.startsWith("outer_")).findFirst().orElse("none of " + stack);
    }
}
