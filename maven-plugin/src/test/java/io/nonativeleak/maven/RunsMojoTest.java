package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.ReportJson;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code <runs>} of the check goal, plugin-wide and per fixture, with real fixtures. */
class RunsMojoTest {
    @TempDir
    Path project;

    private final RecordingLog log = new RecordingLog();

    private static Fixture fixture(String name, String id, String... args) {
        Fixture f = Mojos.script(TestFixtures.script(name).toString(), args);
        f.setName(id);
        return f;
    }

    private RunReport report(String name) {
        return ReportJson.read(project.resolve("target/nonativeleak/" + name + ".json"));
    }

    @Test
    void aOneTimeCacheFailsWithOneRunAndPassesWithThreeSetPerFixture() throws Exception {
        CheckMojo check = Mojos.check(project, log);
        Fixture three = fixture("warm_cache.py", "three");
        three.setRuns(3);
        check.fixtures = new ArrayList<>(List.of(fixture("warm_cache.py", "once"), three));

        assertThatThrownBy(check::execute).isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("1 of 2 fixtures not CLEAN: once (LEAKED)");
        assertThat(report("once").outcome()).isEqualTo(Outcome.LEAKED);
        assertThat(report("three").outcome()).isEqualTo(Outcome.CLEAN);
        assertThat(report("three").runs()).extracting(r -> r.leaked().count()).containsExactly(1L, 0L, 0L);
    }

    @Test
    void aRepeatedLeakShowsItsLeaksPerRunInTheLogWithRunsSetPluginWide() {
        CheckMojo check = Mojos.check(project, log);
        check.runs = 3;
        check.fixtures = new ArrayList<>(List.of(fixture("leak.py", "leak", "4", "1000")));

        assertThatThrownBy(check::execute).isInstanceOf(MojoFailureException.class).hasMessageContaining("1 of 1 fixtures not CLEAN: leak (LEAKED)");
        assertThat(log.text()).contains("leaked per run: [4, 4, 4] allocations ([4000, 4000, 4000] bytes)");
        assertThat(report("leak").runs()).hasSize(3);
    }

    @Test
    void runsBelowOneIsAConfigurationErrorBeforeAnyFixtureRuns() {
        CheckMojo check = Mojos.check(project, log);
        Fixture zero = fixture("leak.py", "zero");
        zero.setRuns(0);
        check.fixtures = new ArrayList<>(List.of(fixture("clean.py", "first"), zero));

        assertThatThrownBy(check::execute).isInstanceOf(MojoExecutionException.class)
                .hasMessageContaining("runs must be from 1 to 100, not 0");
        assertThat(Files.exists(project.resolve("target/nonativeleak/first.json"))).isFalse();
    }

    @Test
    void theCaseStudysLeakRepeatsInEachOfThreeRuns() throws Exception {
        String python = System.getProperty(NumbaCaseStudyRoundTripTest.PROPERTY, "");
        assumeTrue(!python.isBlank(), "no interpreter with numpy and numba: set -D" + NumbaCaseStudyRoundTripTest.PROPERTY);
        CheckMojo check = Mojos.check(project, log);
        check.python = python;
        check.warmup = 1;
        check.runs = 3;
        check.patterns = new ArrayList<>(List.of("*npy_alloc_cache*|default_malloc ... array_boolean_subscript"));
        check.fixtures = new ArrayList<>(List.of(Mojos.script(NumbaCaseStudyRoundTripTest.backtest("backtest_buggy.py"), "5")));

        assertThatThrownBy(check::execute).isInstanceOf(MojoFailureException.class).hasMessageContaining("backtest_buggy (LEAKED)");
        // 5 days x 200 ticks: one subscript buffer per tick, in every run
        assertThat(log.text()).contains("leaked per run: [1000, 1000, 1000] allocations").contains(NumbaCaseStudyRoundTripTest.SUBSCRIPT);
        RunReport report = report("backtest_buggy");
        assertThat(report.sites().get(0).runs()).extracting(c -> c.count()).containsExactly(1000L, 1000L, 1000L);
        assertThat(report.sites().get(0).innermostPythonFrame().source()).isEqualTo(NumbaCaseStudyRoundTripTest.SUBSCRIPT);
    }
}
