package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.ReportJson;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.testing.TestFixtures;
import io.nonativeleak.shim.PythonInterpreter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** discover finds the leak and suggests a pattern; that pattern, pasted into check, guards exactly that leak. */
class DiscoverRoundTripTest {
    @TempDir
    Path directory;

    private final RecordingLog log = new RecordingLog();

    @Test
    void theSuggestedPatternCatchesTheLeakInCheckAndPassesTheFixedFixture() throws Exception {
        DiscoverMojo discover = Mojos.discover(directory, log);
        discover.script = TestFixtures.script("leak.py").toString();
        discover.args = " 40   2000 ";

        discover.execute();

        Path reportFile = directory.resolve("target/nonativeleak/discover-leak.json");
        RunReport report = ReportJson.read(reportFile);
        assertThat(report.patterns()).isEmpty();                       // discover tracks every allocation
        assertThat(report.sampling()).isNull();
        assertThat(report.fixture().args()).containsExactly("40", "2000");
        assertThat(report.sites()).allSatisfy(s -> {
            if (!s.cStack().isEmpty()) assertThat(s.suggestedPattern()).isNotBlank();
        });
        LeakSite leak = report.sites().stream()
                .filter(s -> !s.cStack().isEmpty() && "leak_block".equals(s.cStack().get(0).symbol()))
                .findFirst().orElseThrow();
        assertThat(leak.count()).isEqualTo(40);
        assertThat(leak.suggestedPattern()).isEqualTo("leak_block");
        assertThat(log.text()).contains("may-leak=40 (80000 bytes)")
                .contains("suggested pattern: leak_block")
                .contains("leaky.leak(count, size)  # LEAK-LINE")
                .contains("Report (every site with its suggested pattern): " + reportFile);

        // The buggy fixture: check with the suggestion fails on the same site, at the same Python line.
        CheckMojo check = Mojos.check(directory, log);
        check.patterns = new ArrayList<>(List.of(leak.suggestedPattern()));
        check.fixtures = new ArrayList<>(List.of(Mojos.script(TestFixtures.script("leak.py").toString(), "40", "2000")));
        assertThatThrownBy(check::execute).isInstanceOf(MojoFailureException.class).hasMessageContaining("leak (LEAKED)");
        RunReport gated = ReportJson.read(directory.resolve("target/nonativeleak/leak.json"));
        assertThat(gated.leaked().count()).isEqualTo(40);
        assertThat(gated.sites().get(0).pythonStack())
                .anySatisfy(f -> assertThat(f.file() + ":" + f.line()).endsWith("leak.py:" + TestFixtures.lineOf("leak.py", "LEAK-LINE")));
        assertThat(gated.sites().get(0).cStack()).isEqualTo(leak.cStack());

        // The fixed fixture (allocates through the same stack, frees it): CLEAN, not NO_MATCH.
        check.fixtures = new ArrayList<>(List.of(Mojos.script(TestFixtures.script("clean.py").toString(), "40")));
        check.execute();
        RunReport fixed = ReportJson.read(directory.resolve("target/nonativeleak/clean.json"));
        assertThat(fixed.outcome()).isEqualTo(Outcome.CLEAN);
        assertThat(fixed.matched().count()).isEqualTo(40);
    }

    @Test
    void aSampledDiscoverFindsTheLeakFirstAndScalesItsCountsBackUp() throws Exception {
        DiscoverMojo discover = Mojos.discover(directory, log);
        discover.script = TestFixtures.script("leak.py").toString();
        discover.args = "2000 4096";                                    // 8 MiB leaked in 4 KiB blocks
        discover.sampleBytes = 64 << 10;                                // about 120 of the 2000 blocks sampled

        discover.execute();

        RunReport report = ReportJson.read(directory.resolve("target/nonativeleak/discover-leak.json"));
        assertThat(report.sampling().sampleBytes()).isEqualTo(64 << 10);
        assertThat(report.sampling().tracked().count()).isLessThan(report.matched().count() / 4);
        LeakSite top = report.sites().get(0);
        assertThat(top.cStack().get(0).symbol()).isEqualTo("leak_block");
        assertThat(top.pythonStack()).anySatisfy(f -> assertThat(f.file() + ":" + f.line())
                .endsWith("leak.py:" + TestFixtures.lineOf("leak.py", "LEAK-LINE")));
        // An unbiased estimate from ~120 samples: within 40% of the truth (more than 4 standard deviations).
        assertThat(top.count()).isBetween(1200L, 2800L);
        assertThat(top.bytes()).isBetween(1200L * 4096, 2800L * 4096);
        assertThat(log.text()).contains("sampled:  one allocation per 65536 bytes allocated on average");
    }

    @Test
    void aNegativeSampleSizeIsRejectedBeforeAnythingRuns() {
        DiscoverMojo discover = Mojos.discover(directory, log);
        discover.script = TestFixtures.script("leak.py").toString();
        discover.sampleBytes = -1;
        assertThatThrownBy(discover::execute).isInstanceOf(MojoExecutionException.class)
                .hasMessageContaining("sampleBytes (nonativeleak.sampleBytes) must be 0 (no sampling) or more, not -1");
        assertThat(directory.resolve("target/nonativeleak")).doesNotExist();
    }

    @Test
    void discoverNeverFailsTheBuildBecauseOfTheFixture() throws Exception {
        DiscoverMojo discover = Mojos.discover(directory, log);
        discover.script = TestFixtures.script("raises.py").toString();

        discover.execute();

        assertThat(log.text()).contains("finished FIXTURE_FAILED").contains("the fixture did not finish normally");
    }

    @Test
    void discoverHonoursPatternsSeparatedBySemicolonsAndTop() throws Exception {
        DiscoverMojo discover = Mojos.discover(directory, log);
        discover.script = TestFixtures.script("leak.py").toString();
        discover.discoverPatterns = "leak_block ; no_such_function;";
        discover.top = 1;

        discover.execute();

        RunReport report = ReportJson.read(directory.resolve("target/nonativeleak/discover-leak.json"));
        assertThat(report.patterns()).containsExactly("leak_block", "no_such_function");
        assertThat(report.sites()).hasSize(1);
        assertThat(log.text()).contains("CallStack[1]: may-leak=3 (3000 bytes)").doesNotContain("CallStack[2]");
    }

    @Test
    void aDiscoverRunThroughAWrapperThatDropsThePreloadIsAnErrorThatSaysWhy() throws Exception {
        // A wrapper that keeps its own path as sys.executable and clears LD_PRELOAD on the way to the real interpreter.
        String real = PythonInterpreter.resolve(TestFixtures.python(), directory).executable().toString();
        Path wrapper = Files.writeString(directory.resolve("python-wrapper"),
                "#!/bin/bash\nunset LD_PRELOAD\nexec -a \"$0\" " + real + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        DiscoverMojo discover = Mojos.discover(directory, log);
        discover.python = wrapper.toString();
        discover.script = TestFixtures.script("leak.py").toString();

        assertThatThrownBy(discover::execute).isInstanceOf(MojoExecutionException.class)
                .hasMessageContaining("discover tracked no allocation at all in " + TestFixtures.script("leak.py") + " (NOT_TRACKED)")
                .hasMessageContaining("it was not preloaded into that process (LD_PRELOAD was cleared on the way")
                .hasMessageContaining("discover-leak.json");
        assertThat(log.text()).doesNotContain("nothing to guard");
    }

    @Test
    void aDiscoverRunWhoseInterpreterDiedBeforeTheMeasuredRunIsAnErrorThatSaysWhy() throws Exception {
        DiscoverMojo discover = Mojos.discover(directory, log);
        discover.call = "exits_at_import:run";
        discover.environment.put("PYTHONPATH", TestFixtures.directory().toString());

        assertThatThrownBy(discover::execute).isInstanceOf(MojoExecutionException.class)
                .hasMessageContaining("discover tracked no allocation at all in exits_at_import:run (NOT_TRACKED)")
                .hasMessageContaining("the interpreter ended (_exit) before the runner began the measured run");
        assertThat(log.text()).doesNotContain("nothing to guard");
    }

    @Test
    void discoverNeedsAScriptOrACallableAndNamesTheProperty() {
        DiscoverMojo discover = Mojos.discover(directory, log);
        assertThatThrownBy(discover::execute).isInstanceOf(MojoExecutionException.class)
                .hasMessageContaining("-Dnonativeleak.script=PATH and -Dnonativeleak.call=package.module:function (neither is set)");

        discover.script = "missing.py";
        assertThatThrownBy(discover::execute).isInstanceOf(MojoExecutionException.class)
                .hasMessageContaining("script (nonativeleak.script): fixture script not found: " + directory.resolve("missing.py"));

        discover.script = TestFixtures.script("leak.py").toString();
        discover.discoverPatterns = "leak_block |x";
        assertThatThrownBy(discover::execute).isInstanceOf(MojoExecutionException.class)
                .hasMessageContaining("discoverPatterns (nonativeleak.patterns): invalid stack pattern 'leak_block |x' at position 12");
    }
}
