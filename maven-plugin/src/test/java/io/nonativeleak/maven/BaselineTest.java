package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nonativeleak.shim.report.CFrame;
import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.PyFrame;
import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The baseline flow as a team adopts the gate: baseline today's leaks, pass on them, fail on anything new or grown. */
class BaselineTest {
    @TempDir
    Path project;

    private RecordingLog log = new RecordingLog();

    /** A fixture inside the project (so its Python frame is a project frame) that leaks {@code count} blocks at LEAK-LINE. */
    private Fixture projectFixture(String prefix, int count) throws Exception {
        Path script = Files.createDirectories(project.resolve("src/test/python")).resolve("backtest.py");
        Files.writeString(script, prefix + "import leaky\n\nfor _ in range(" + count + "):\n    leaky.leak(1, 1000)  # LEAK-LINE\n");
        Fixture f = Mojos.script(script.toString());
        f.setEnvironment(Map.of("PYTHONPATH", TestFixtures.directory().toString()));
        return f;
    }

    private CheckMojo check(Fixture... fixtures) {
        log = new RecordingLog();
        CheckMojo mojo = Mojos.check(project, log);
        mojo.fixtures = new ArrayList<>(List.of(fixtures));
        return mojo;
    }

    private BaselineMojo baselineGoal() {
        BaselineMojo mojo = new BaselineMojo();
        mojo.setLog(log);
        mojo.baseDirectory = project.toFile();
        mojo.reportDirectory = project.resolve("target/nonativeleak").toFile();
        mojo.baseline = project.resolve("nonativeleak-baseline.json").toFile();
        mojo.failOnLeak = true;
        return mojo;
    }

    @Test
    void aBaselinedLeakPassesAGrownOrNewOneFailsAndStaleEntriesAreListed() throws Exception {
        CheckMojo first = check(projectFixture("", 3));
        first.failOnLeak = false;
        first.execute();
        baselineGoal().execute();

        Path file = project.resolve("nonativeleak-baseline.json");
        assertThat(log.text()).contains("Baseline of 1 known leak site from 1 report: " + file)
                .contains("backtest: src/test/python/backtest.py:4 in <module> (leaky.leak(1, 1000)  # LEAK-LINE), C leak_block: 3 allocations (3000 bytes)");
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertThat(json.path("schemaVersion").asInt()).isEqualTo(1);
        JsonNode site = json.path("sites").get(0);
        assertThat(site.path("fixture").asText()).isEqualTo("backtest");
        assertThat(site.path("pattern").asText()).isEqualTo(TestFixtures.PATTERN);
        assertThat(site.path("python").path("file").asText()).isEqualTo("src/test/python/backtest.py");
        assertThat(site.path("python").path("source").asText()).isEqualTo("leaky.leak(1, 1000)  # LEAK-LINE");
        assertThat(site.path("cFrames").toString()).isEqualTo("[\"leak_block\"]");
        assertThat(site.path("count").asLong()).isEqualTo(3);
        assertThat(site.path("bytes").asLong()).isEqualTo(3000);

        // the same leak, lines added above it: tolerated
        CheckMojo same = check(projectFixture("# a comment\n# and another\n", 3));
        same.baseline = file.toFile();
        same.execute();
        assertThat(log.text()).containsPattern("backtest +LEAKED \\(baselined\\) +3 +3000")
                .contains("Baseline " + file + ": 1 known leak site tolerated, 0 stale entries")
                .contains("tolerated: backtest: src/test/python/backtest.py:6 in <module>")
                .contains("All 1 fixtures CLEAN or leaking only at sites the baseline tolerates (1)");
        String xml = Files.readString(project.resolve("target/nonativeleak/TEST-nonativeleak.default.xml"));
        assertThat(xml).contains("failures=\"0\"").contains("tolerated by the baseline: backtest: ");

        // grown beyond it: fails, naming the site and both numbers
        CheckMojo grown = check(projectFixture("", 5));
        grown.baseline = file.toFile();
        assertThatThrownBy(grown::execute).isInstanceOf(MojoFailureException.class).hasMessageContaining("1 of 1 fixtures not CLEAN: backtest (LEAKED)");
        assertThat(log.text()).contains("grown: backtest: src/test/python/backtest.py:4 in <module> (leaky.leak(1, 1000)  # LEAK-LINE), C leak_block: "
                + "5 allocations (5000 bytes), baseline 3 (3000 bytes)");

        // a new site beside the known one: fails on the new one only; the known one is still tolerated
        Path script = project.resolve("src/test/python/backtest.py");
        projectFixture("", 3);
        Files.writeString(script, Files.readString(script) + "leaky.leak(2, 500)  # NEW-LEAK\n");
        Fixture withNew = Mojos.script(script.toString());
        withNew.setEnvironment(Map.of("PYTHONPATH", TestFixtures.directory().toString()));
        CheckMojo fresh = check(withNew);
        fresh.baseline = file.toFile();
        assertThatThrownBy(fresh::execute).isInstanceOf(MojoFailureException.class);
        assertThat(log.text()).contains("new: backtest: src/test/python/backtest.py:5 in <module> (leaky.leak(2, 500)  # NEW-LEAK), C leak_block: 2 allocations (1000 bytes)")
                .contains("tolerated: backtest: src/test/python/backtest.py:4");

        // fixed: CLEAN, and the baseline entry is stale
        CheckMojo fixed = check(projectFixture("", 0));
        fixed.fixtures.get(0).setRequireMatch(false);
        fixed.baseline = file.toFile();
        fixed.execute();
        assertThat(log.text()).contains("0 known leak sites tolerated, 1 stale entry")
                .contains("stale baseline entry (no longer occurs; mvn nonativeleak:baseline rewrites the file): backtest: src/test/python/backtest.py:4 in <module>");
    }

    @Test
    void aMissingBaselineIsAConfigurationErrorBeforeAnythingRuns() throws Exception {
        CheckMojo mojo = check(projectFixture("", 1));
        mojo.baseline = project.resolve("no-such-baseline.json").toFile();
        assertThatThrownBy(mojo::execute).isInstanceOf(MojoExecutionException.class)
                .hasMessageContaining("baseline (nonativeleak.baseline): no baseline file " + project.resolve("no-such-baseline.json"));
        assertThat(log.text()).doesNotContain("Running fixture");
        Files.writeString(project.resolve("broken.json"), "{\"schemaVersion\": 7, \"sites\": []}");
        mojo.baseline = project.resolve("broken.json").toFile();
        assertThatThrownBy(mojo::execute).isInstanceOf(MojoExecutionException.class).hasMessageContaining("not a NoNativeLeak baseline (schemaVersion 7");
    }

    @Test
    void reportsThatCannotBeBaselinedFailTheGoalUnlessFailOnLeakIsFalse() throws Exception {
        Fixture raises = Mojos.script(TestFixtures.script("raises.py").toString());
        CheckMojo first = check(raises, Mojos.script(TestFixtures.script("leak.py").toString()));
        first.failOnLeak = false;
        first.execute();
        assertThatThrownBy(baselineGoal()::execute).isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("raises.json (FIXTURE_FAILED: ");
        BaselineMojo lenient = baselineGoal();
        lenient.failOnLeak = false;
        lenient.execute();
        assertThat(log.text()).contains("left out (nonativeleak.failOnLeak=false)").contains("Baseline of 1 known leak site from 1 report");
    }

    @Test
    void theIdentityKeepsTheProjectFrameAndThePatternsNamedFramesNotOffsetsOrLineNumbers() {
        List<CFrame> c = List.of(new CFrame("PyMem_RawMalloc", "python3.11", "0x10", true), new CFrame("default_malloc", "_multiarray_umath.so", "0x173ff8", false),
                new CFrame(null, "_multiarray_umath.so", "0x1", false), new CFrame("npy_alloc_cache", "_multiarray_umath.so", "0x2", false),
                new CFrame("array_boolean_subscript", "_multiarray_umath.so", "0x3", false), new CFrame("PyObject_GetItem", "python3.11", "0x4", false));
        List<PyFrame> py = List.of(new PyFrame("src/test/python/backtest.py", 14, "run_day", "sub = chunk[to_keep]"),
                new PyFrame("/venv/lib/python3.11/site-packages/numba/core/x.py", 99, "call", "return f(*args)"));
        LeakSite site = new LeakSite(10, 26720, 42, "MainThread", c, py, "CAPTURED", "*npy_alloc_cache*|default_malloc ... array_boolean_subscript", null);

        assertThat(Baseline.identifyingFrames(site)).containsExactly("default_malloc", "npy_alloc_cache", "array_boolean_subscript");
        assertThat(Baseline.projectFrame(site).file()).isEqualTo("src/test/python/backtest.py");
        LeakSite moved = new LeakSite(10, 26720, 43, "worker", c.stream().map(f -> new CFrame(f.symbol(), f.module(), "0xdead", f.wrapper())).toList(),
                List.of(new PyFrame("src/test/python/backtest.py", 20, "run_day", "sub = chunk[to_keep]")), "CAPTURED", site.pattern(), null);
        LeakSite otherLine = new LeakSite(10, 26720, 42, "MainThread", c,
                List.of(new PyFrame("src/test/python/backtest.py", 14, "run_day", "sub = chunk[other]")), "CAPTURED", site.pattern(), null);
        assertThat(key(moved)).isEqualTo(key(site));
        assertThat(key(otherLine)).isNotEqualTo(key(site));
        LeakSite everything = new LeakSite(1, 8, 42, "MainThread", c, py, "CAPTURED", null, null);
        assertThat(Baseline.identifyingFrames(everything)).containsExactly("default_malloc");
    }

    private static Baseline.Key key(LeakSite s) {
        io.nonativeleak.shim.report.RunReport r = new io.nonativeleak.shim.report.RunReport(1, "f", null, List.of(), List.of(), null,
                io.nonativeleak.shim.report.Outcome.LEAKED, "", 0, null, 1, null, null, List.of(s), List.of(), List.of(), null, null, null, null, null, null, List.of(), null, List.of());
        return Baseline.entries(r, "f").get(0).key();
    }
}
