package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nonativeleak.shim.report.NoMatch;
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

/** check and discover through the plugin: a NO_MATCH says which case holds, in the log, the report and the HTML page. */
class CheckNoMatchTest {
    @TempDir
    Path project;

    private final RecordingLog log = new RecordingLog();

    private static Fixture fixture(String name, String script, String... args) {
        Fixture f = Mojos.script(TestFixtures.script(script).toString(), args);
        f.setName(name);
        return f;
    }

    private RunReport report(String name) {
        return ReportJson.read(project.resolve("target/nonativeleak/" + name + ".json"));
    }

    @Test
    void eachNoMatchCaseIsNamedInTheLogTheReportAndThePage() throws Exception {
        Fixture misspelt = fixture("misspelt", "leak.py");
        misspelt.setPatterns(List.of("leak_blok"));
        Fixture notReached = fixture("not-reached", "clean.py", "0");
        Fixture warmupOnly = fixture("warmup-only", "warm_cache.py");
        warmupOnly.setWarmup(1);
        CheckMojo mojo = Mojos.check(project, log);
        mojo.fixtures = new ArrayList<>(List.of(misspelt, notReached, warmupOnly));

        assertThatThrownBy(mojo::execute).isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("3 of 3 fixtures not CLEAN: misspelt (NO_MATCH), not-reached (NO_MATCH), warmup-only (NO_MATCH)");

        assertThat(log.text())
                .contains("Fixture misspelt is NO_MATCH (FRAME_NOT_LOADED): no allocation of the measured run matched any pattern: "
                        + "the gate was watching nothing; a named frame of the pattern exists in no loaded module (misspelt, "
                        + "inlined, or in a stripped library): 'leak_blok' (pattern 'leak_blok'), nearest loaded name: "
                        + "leak_block in libleaky.so")
                .contains("Fixture not-reached is NO_MATCH (FRAMES_NOT_REACHED): ")
                .contains("every named frame of the patterns exists in a loaded module (leak_block in libleaky.so), but no "
                        + "allocation of the measured run reached the allocator through them")
                .contains("Fixture warmup-only is NO_MATCH (WARMUP_ONLY): ")
                .contains("1 allocation (4096 bytes) matched during the 1 warm-up run, none in the measured run");
        assertThat(report("misspelt").noMatch().kind()).isEqualTo(NoMatch.Case.FRAME_NOT_LOADED);
        assertThat(report("not-reached").noMatch().kind()).isEqualTo(NoMatch.Case.FRAMES_NOT_REACHED);
        assertThat(report("warmup-only").noMatch().kind()).isEqualTo(NoMatch.Case.WARMUP_ONLY);

        ReportMojo page = new ReportMojo();
        page.setLog(log);
        page.baseDirectory = project.toFile();
        page.reportDirectory = project.resolve("target/nonativeleak").toFile();
        page.execute();
        String html = Files.readString(project.resolve("target/nonativeleak/index.html"));
        assertThat(html).contains("<code>FRAME_NOT_LOADED</code>").contains("<code>FRAMES_NOT_REACHED</code>")
                .contains("<code>WARMUP_ONLY</code>").contains("nearest loaded name: leak_block in libleaky.so");
    }

    @Test
    void requireMatchFalseStaysTheUsersSwitchAndTheReportStillSaysWhy() throws Exception {
        Fixture lenient = fixture("lenient", "clean.py", "0");
        lenient.setRequireMatch(false);
        CheckMojo mojo = Mojos.check(project, log);
        mojo.fixtures = new ArrayList<>(List.of(lenient));

        mojo.execute();

        assertThat(log.text()).containsPattern("lenient +CLEAN");
        assertThat(report("lenient").outcome()).isEqualTo(Outcome.CLEAN);
        assertThat(report("lenient").noMatch().kind()).isEqualTo(NoMatch.Case.FRAMES_NOT_REACHED);
    }

    @Test
    void discoverWithAPatternThatMatchedNothingIsAnErrorThatSaysWhy() {
        DiscoverMojo discover = Mojos.discover(project, log);
        discover.script = TestFixtures.script("leak.py").toString();
        discover.discoverPatterns = "leak_blok";

        assertThatThrownBy(discover::execute).isInstanceOf(MojoExecutionException.class)
                .hasMessageContaining("discover tracked no allocation at all in " + TestFixtures.script("leak.py") + " (FRAME_NOT_LOADED)")
                .hasMessageContaining("'leak_blok' (pattern 'leak_blok'), nearest loaded name: leak_block in libleaky.so");
        assertThat(log.text()).doesNotContain("nothing to guard");
    }

    @Test
    void smallNumpyArraysAreExplainedByNumpysCacheAndGuardedThroughNumpysRealMallocCaller() throws Exception {
        String python = TestFixtures.numpyPython();
        assumeTrue(!python.isBlank(), "set -D" + TestFixtures.NUMPY_PYTHON_PROPERTY + " to a Python with numpy");
        Fixture plain = fixture("small-arrays", "small_arrays.py");
        plain.setPatterns(List.of(TestFixtures.NUMPY_PATTERN));
        Fixture guarded = fixture("small-arrays-guarded", "small_arrays.py");
        Fixture leaky = fixture("small-arrays-leak", "small_arrays_leak.py");
        CheckMojo mojo = Mojos.check(project, log);
        mojo.python = python;
        mojo.patterns = new ArrayList<>(List.of(TestFixtures.NUMPY_SMALL_ARRAY_PATTERN));
        mojo.fixtures = new ArrayList<>(List.of(plain, guarded, leaky));

        assertThatThrownBy(mojo::execute).isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("2 of 3 fixtures not CLEAN: small-arrays (NO_MATCH), small-arrays-leak (LEAKED)");

        assertThat(log.text())
                .contains("Fixture small-arrays is NO_MATCH (FRAMES_NOT_REACHED)")
                .contains("numpy serves data buffers under 1024 bytes from its own cache")
                .contains("add PyDataMem_UserNEW as an alternative of the first frame, e.g. '" + TestFixtures.NUMPY_SMALL_ARRAY_PATTERN + "'")
                .containsPattern("small-arrays-guarded +CLEAN")
                .contains("small_arrays_leak.py:" + TestFixtures.lineOf("small_arrays_leak.py", "LEAK-LINE") + " in <module>")
                .contains("kept.append(v[v > 10.0])  # LEAK-LINE");
        assertThat(report("small-arrays-guarded").matched().count()).isPositive();
        assertThat(report("small-arrays-leak").leaked().count()).isGreaterThanOrEqualTo(190);
    }
}
