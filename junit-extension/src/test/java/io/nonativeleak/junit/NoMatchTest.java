package io.nonativeleak.junit;

import static io.nonativeleak.junit.TestKit.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nonativeleak.shim.report.NoMatch;
import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.ReportJson;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A NO_MATCH says which case holds (docs/patterns.md, Reading NO_MATCH), in the failure message and in the report. */
class NoMatchTest {
    private static TestKit.Results results;

    @NoNativeLeak(patterns = TestFixtures.PATTERN)
    static class NoMatchTestCases {
        @Test
        void misspeltFrame(PythonFixture python) {
            python.withPatterns("leak_blok").run(fixture("leak.py"));
        }

        @Test
        void framesNotReached(PythonFixture python) {
            python.run(fixture("clean.py"), "0");          // loads libleaky.so, never calls leak_block
        }

        @Test
        void matchedDuringWarmupOnly(PythonFixture python) {
            python.withWarmup(1).run(fixture("warm_cache.py"));
        }

        @Test
        void smallNumpyArrays(PythonFixture python) {
            python.withPython(TestFixtures.numpyPython()).withPatterns(TestFixtures.NUMPY_PATTERN).run(fixture("small_arrays.py"));
        }

        @Test
        void smallNumpyArraysLeaked(PythonFixture python) {
            python.withPython(TestFixtures.numpyPython()).withPatterns(TestFixtures.NUMPY_SMALL_ARRAY_PATTERN).run(fixture("small_arrays_leak.py"));
        }

        @Test
        void smallNumpyArraysGuardedWhereNumpyCallsMalloc(PythonFixture python) {
            FixtureRun run = python.withPython(TestFixtures.numpyPython()).withPatterns(TestFixtures.NUMPY_SMALL_ARRAY_PATTERN)
                    .run(fixture("small_arrays.py"));
            assertThat(run.outcome()).isEqualTo(Outcome.CLEAN);
            assertThat(run.report().matched().count()).isPositive();   // the gate watched something
        }
    }

    @BeforeAll
    static void execute() {
        results = TestKit.execute(NoMatchTestCases.class);
    }

    @Test
    void aMisspeltFrameIsNamedWithTheNearNameAndItsModule() {
        String message = results.failure("misspeltFrame").getMessage();
        assertThat(message)
                .contains("leak.py is NO_MATCH, not CLEAN")
                .contains("NO_MATCH (FRAME_NOT_LOADED): no allocation of the measured run matched any pattern")
                .contains("a named frame of the pattern exists in no loaded module (misspelt, inlined, or in a stripped library): "
                        + "'leak_blok' (pattern 'leak_blok'), nearest loaded name: leak_block in libleaky.so");
        NoMatch noMatch = ReportJson.read(reportIn(message)).noMatch();
        assertThat(noMatch.kind()).isEqualTo(NoMatch.Case.FRAME_NOT_LOADED);
        assertThat(noMatch.frames()).singleElement().satisfies(f -> {
            assertThat(f.name()).isEqualTo("leak_blok");
            assertThat(f.loaded()).isFalse();
            assertThat(f.nearName()).isEqualTo("leak_block");
            assertThat(f.nearModule()).isEqualTo("libleaky.so");
        });
    }

    @Test
    void framesThatExistButWereNotReachedSaySo() {
        String message = results.failure("framesNotReached").getMessage();
        assertThat(message)
                .contains("NO_MATCH (FRAMES_NOT_REACHED)")
                .contains("every named frame of the patterns exists in a loaded module (leak_block in libleaky.so), "
                        + "but no allocation of the measured run reached the allocator through them")
                .doesNotContain("numpy");
        NoMatch noMatch = ReportJson.read(reportIn(message)).noMatch();
        assertThat(noMatch.kind()).isEqualTo(NoMatch.Case.FRAMES_NOT_REACHED);
        assertThat(noMatch.frames()).singleElement().satisfies(f -> assertThat(f.loaded()).isTrue());
    }

    @Test
    void matchesDuringWarmupOnlySaySo() {
        String message = results.failure("matchedDuringWarmupOnly").getMessage();
        assertThat(message)
                .contains("NO_MATCH (WARMUP_ONLY)")
                .contains("1 allocation (4096 bytes) matched during the 1 warm-up run, none in the measured run");
        assertThat(ReportJson.read(reportIn(message)).noMatch().kind()).isEqualTo(NoMatch.Case.WARMUP_ONLY);
    }

    @Test
    void smallNumpyArraysAreExplainedByNumpysCache() {
        assumeTrue(!TestFixtures.numpyPython().isBlank(), "set -D" + TestFixtures.NUMPY_PYTHON_PROPERTY + " to a Python with numpy");
        String message = results.failure("smallNumpyArrays").getMessage();
        assertThat(message)
                .contains("small_arrays.py is NO_MATCH, not CLEAN")
                .contains("NO_MATCH (FRAMES_NOT_REACHED)")
                .containsPattern("every named frame of the patterns exists in a loaded module \\(\\*npy_alloc_cache\\* in "
                        + "_multiarray_umath[^,]*\\.so, default_malloc in _multiarray_umath[^,]*\\.so, array_boolean_subscript in ")
                .containsPattern("numpy is loaded \\(_multiarray_umath.*\\) and the pattern starts at its data allocator: "
                        + "numpy serves data buffers under 1024 bytes from its own cache")
                .containsPattern("it held \\d+ blocks at the checkpoint")
                .contains("The small buffers it did allocate reached malloc from PyDataMem_UserNEW, with no default_malloc frame")
                .contains("e.g. '" + TestFixtures.NUMPY_SMALL_ARRAY_PATTERN + "'");
    }

    @Test
    void smallNumpyArraysAreCleanWithNumpysRealMallocCaller() {
        assumeTrue(!TestFixtures.numpyPython().isBlank(), "set -D" + TestFixtures.NUMPY_PYTHON_PROPERTY + " to a Python with numpy");
        results.succeeded("smallNumpyArraysGuardedWhereNumpyCallsMalloc");
    }

    @Test
    void aLeakOfSmallNumpyArraysIsStillCaughtAtItsLine() {
        assumeTrue(!TestFixtures.numpyPython().isBlank(), "set -D" + TestFixtures.NUMPY_PYTHON_PROPERTY + " to a Python with numpy");
        String message = results.failure("smallNumpyArraysLeaked").getMessage();
        assertThat(message)
                .contains("small_arrays_leak.py is LEAKED, not CLEAN")
                .contains("small_arrays_leak.py:" + TestFixtures.lineOf("small_arrays_leak.py", "LEAK-LINE") + " in <module>")
                .contains("kept.append(v[v > 10.0])  # LEAK-LINE");
        RunReport report = ReportJson.read(reportIn(message));
        assertThat(report.outcome()).isEqualTo(Outcome.LEAKED);
        assertThat(report.leaked().count()).isGreaterThanOrEqualTo(190);  // 200 kept, a few served by the cache
        assertThat(report.noMatch()).isNull();
    }

    private static Path reportIn(String message) {
        Matcher m = Pattern.compile("report: (\\S+\\.json)").matcher(message);
        assertThat(m.find()).as(message).isTrue();
        return Path.of(m.group(1));
    }
}
