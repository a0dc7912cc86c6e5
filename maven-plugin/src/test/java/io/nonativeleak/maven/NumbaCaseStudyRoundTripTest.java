package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nonativeleak.shim.report.CFrame;
import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.ReportJson;
import io.nonativeleak.shim.report.RunReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real case study: discover on the leaking numba generator suggests a pattern for the boolean-subscript
 * site; pasted into check it catches that leak at the subscript line, and the fixed fixture is CLEAN.
 * Needs an interpreter with numpy and numba: {@code -Dnonativeleak.test.numbaPython=/path/to/venv/bin/python}.
 */
class NumbaCaseStudyRoundTripTest {
    static final String PROPERTY = "nonativeleak.test.numbaPython";

    @TempDir
    Path project;

    private String python;
    private Path fixture;
    private final RecordingLog log = new RecordingLog();

    @BeforeEach
    void needsNumba() throws Exception {
        python = System.getProperty(PROPERTY, "");
        assumeTrue(!python.isBlank(), "no interpreter with numpy and numba: set -D" + PROPERTY + "=/path/to/venv/bin/python");
        Process probe = new ProcessBuilder(python, "-c", "import numba, numpy").redirectErrorStream(true).start();
        assumeTrue(probe.waitFor(120, TimeUnit.SECONDS) && probe.exitValue() == 0,
                python + " (-D" + PROPERTY + ") cannot import numba and numpy: " + new String(probe.getInputStream().readAllBytes()));
        fixture = project.resolve("src/test/python/generator_chunks.py");
        Files.createDirectories(fixture.getParent());
        try (InputStream in = getClass().getResourceAsStream("/casestudy/generator_chunks.py")) {
            Files.copy(in, fixture);
        }
    }

    @Test
    void theSuggestionForTheSubscriptSiteGuardsTheRealLeak() throws Exception {
        DiscoverMojo discover = Mojos.discover(project, log);
        discover.python = python;
        discover.script = "src/test/python/generator_chunks.py";
        discover.args = "400 partial";
        discover.warmup = 1;
        discover.top = 3;
        discover.execute();

        RunReport found = ReportJson.read(project.resolve("target/nonativeleak/discover-generator_chunks.json"));
        LeakSite subscript = found.sites().get(0);                         // the largest site is the leak
        assertThat(subscript.cStack()).extracting(CFrame::symbol).contains("array_boolean_subscript");
        assertThat(subscript.innermostPythonFrame().source()).isEqualTo("gen = values(chunk[to_keep])  # SUBSCRIPT-LINE");
        assertThat(subscript.suggestedPattern()).isEqualTo("*npy_alloc_cache*|default_malloc ... array_boolean_subscript");
        assertThat(log.text()).contains("suggested pattern: *npy_alloc_cache*|default_malloc ... array_boolean_subscript");

        CheckMojo check = Mojos.check(project, log);
        check.python = python;
        check.warmup = 1;
        check.patterns = new ArrayList<>(List.of(subscript.suggestedPattern()));
        check.fixtures = new ArrayList<>(List.of(Mojos.script("src/test/python/generator_chunks.py", "400", "partial")));
        assertThatThrownBy(check::execute).isInstanceOf(MojoFailureException.class).hasMessageContaining("generator_chunks (LEAKED)");
        RunReport buggy = ReportJson.read(project.resolve("target/nonativeleak/generator_chunks.json"));
        assertThat(buggy.leaked().count()).isEqualTo(400);
        assertThat(buggy.sites().get(0).innermostPythonFrame().source()).contains("chunk[to_keep]");
        assertThat(log.text()).contains("gen = values(chunk[to_keep])  # SUBSCRIPT-LINE");

        Fixture fixed = Mojos.script("src/test/python/generator_chunks.py", "400", "complete");
        fixed.setName("fixed");
        check.fixtures = new ArrayList<>(List.of(fixed));
        check.execute();
        RunReport clean = ReportJson.read(project.resolve("target/nonativeleak/fixed.json"));
        assertThat(clean.outcome()).isEqualTo(Outcome.CLEAN);
        assertThat(clean.matched().count()).isGreaterThanOrEqualTo(400);
    }
}
