package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nonativeleak.shim.report.CFrame;
import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.ReportJson;
import io.nonativeleak.shim.report.RunReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real case study, on the example project's backtests: discover on the buggy one suggests a pattern for the
 * boolean-subscript site; pasted into check it catches that leak at the subscript line, and the fixed backtest is
 * CLEAN. Needs an interpreter with numpy and numba: {@code -Dnonativeleak.test.numbaPython=/path/to/venv/bin/python}.
 */
class NumbaCaseStudyRoundTripTest {
    static final String PROPERTY = "nonativeleak.test.numbaPython";
    /** examples/numba-case-study's backtests (args: days), run where they are; the project below holds the reports. */
    static final Path BACKTESTS = Path.of("../examples/numba-case-study/src/test/python").toAbsolutePath().normalize();
    /** The buggy backtest's subscript line: its buffer is what leaks. */
    static final String SUBSCRIPT = "sub = chunk[to_keep]";

    @TempDir
    Path project;

    private String python;
    private final RecordingLog log = new RecordingLog();

    @BeforeEach
    void needsNumba() throws Exception {
        python = System.getProperty(PROPERTY, "");
        assumeTrue(!python.isBlank(), "no interpreter with numpy and numba: set -D" + PROPERTY + "=/path/to/venv/bin/python");
        Process probe = new ProcessBuilder(python, "-c", "import numba, numpy").redirectErrorStream(true).start();
        assumeTrue(probe.waitFor(120, TimeUnit.SECONDS) && probe.exitValue() == 0,
                python + " (-D" + PROPERTY + ") cannot import numba and numpy: " + new String(probe.getInputStream().readAllBytes()));
    }

    static String backtest(String name) {
        return BACKTESTS.resolve(name).toString();
    }

    @Test
    void theSuggestionForTheSubscriptSiteGuardsTheRealLeak() throws Exception {
        DiscoverMojo discover = Mojos.discover(project, log);
        discover.python = python;
        discover.script = backtest("backtest_buggy.py");
        discover.args = "5";
        discover.warmup = 1;
        discover.top = 3;
        discover.execute();

        RunReport found = ReportJson.read(project.resolve("target/nonativeleak/discover-backtest_buggy.json"));
        LeakSite subscript = found.sites().get(0);                         // the largest site is the leak
        assertThat(subscript.cStack()).extracting(CFrame::symbol).contains("array_boolean_subscript");
        assertThat(subscript.innermostPythonFrame().file()).endsWith("backtest_buggy.py");
        assertThat(subscript.innermostPythonFrame().source()).isEqualTo(SUBSCRIPT);
        assertThat(subscript.suggestedPattern()).isEqualTo("*npy_alloc_cache*|default_malloc ... array_boolean_subscript");
        assertThat(log.text()).contains("suggested pattern: *npy_alloc_cache*|default_malloc ... array_boolean_subscript");

        CheckMojo check = Mojos.check(project, log);
        check.python = python;
        check.warmup = 1;
        check.patterns = new ArrayList<>(List.of(subscript.suggestedPattern()));
        check.fixtures = new ArrayList<>(List.of(Mojos.script(backtest("backtest_buggy.py"), "5")));
        assertThatThrownBy(check::execute).isInstanceOf(MojoFailureException.class).hasMessageContaining("backtest_buggy (LEAKED)");
        RunReport buggy = ReportJson.read(project.resolve("target/nonativeleak/backtest_buggy.json"));
        assertThat(buggy.leaked().count()).isEqualTo(1000);                // 5 days x 200 ticks: one buffer per tick
        assertThat(buggy.sites().get(0).innermostPythonFrame().source()).isEqualTo(SUBSCRIPT);
        assertThat(log.text()).contains(SUBSCRIPT);

        check.fixtures = new ArrayList<>(List.of(Mojos.script(backtest("backtest.py"), "5")));
        check.execute();
        RunReport clean = ReportJson.read(project.resolve("target/nonativeleak/backtest.json"));
        assertThat(clean.outcome()).isEqualTo(Outcome.CLEAN);
        assertThat(clean.matched().count()).isGreaterThanOrEqualTo(1000);
    }
}
