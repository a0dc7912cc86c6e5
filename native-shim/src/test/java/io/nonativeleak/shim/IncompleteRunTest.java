package io.nonativeleak.shim;

import static io.nonativeleak.shim.testing.TestFixtures.PATTERN;
import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.report.IncompleteProcess;
import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.ReportText;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.testing.TestFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fixture under which the shim's data file cannot grow (the fixture lowers its own file-size limit,
 * as a test of a file-writing library might): the fixture runs unharmed and the verdict says what
 * was lost. Fails on main: the shim's first growth past the limit kills the fixture with SIGXFSZ.
 */
class IncompleteRunTest {
    @TempDir
    Path work;

    private RunReport run(long maxLeaks) throws IOException {
        Path script = work.resolve("limited.py");
        Files.writeString(script, String.join("\n",
                "import resource, sys",
                "sys.path.insert(0, " + pythonString(TestFixtures.directory().toString()) + ")",
                "import leaky",
                "resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, resource.RLIM_INFINITY))",
                "leaky.leak(100000, 16)",
                "print('fixture done')", ""));
        FixtureSpec spec = FixtureSpec.script(script.toString()).patterns(List.of(PATTERN)).maxLeaks(maxLeaks).maxLeakedBytes(maxLeaks * 1024)
                .python(TestFixtures.python()).baseDirectory(work).reportDirectory(work.resolve("reports")).build();
        return FixtureLauncher.prepare(spec).run();
    }

    private static String pythonString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    @Test
    void aDataFileThatCannotGrowIsIncompleteNeverClean() throws IOException {
        RunReport report = run(1_000_000); // every leak allowed: only what was lost can fail the gate
        assertThat(report.exitCode()).isZero();
        assertThat(Files.readString(Path.of(report.stdout()))).isEqualTo("fixture done\n");
        assertThat(report.outcome()).isEqualTo(Outcome.INCOMPLETE);
        assertThat(report.outcome().failsGate()).isTrue();
        assertThat(report.incomplete()).hasSize(1);
        IncompleteProcess lost = report.incomplete().get(0);
        assertThat(lost.pid()).isEqualTo(report.processes().get(0).pid());
        assertThat(lost.reason()).contains("file-size limit (ulimit -f, RLIMIT_FSIZE)").contains("not recorded");
        assertThat(lost.sinceMillis()).isGreaterThanOrEqualTo(0);
        assertThat(report.leaked().count()).isPositive().isLessThan(100000);
        assertThat(ReportText.summary(report, 3, null)).startsWith("INCOMPLETE: the shim could not track the whole measured run")
                .contains("incomplete: pid " + lost.pid());
    }

    @Test
    void aLeakSeenAnywayIsLeakedAndStillSaysWhatWasLost() throws IOException {
        RunReport report = run(0);
        assertThat(report.outcome()).isEqualTo(Outcome.LEAKED);
        assertThat(report.incomplete()).singleElement().extracting(IncompleteProcess::reason).asString().contains("file-size limit");
        assertThat(Files.readString(Path.of(report.stdout()))).isEqualTo("fixture done\n");
    }
}
