package io.nonativeleak.junit;

import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a fixture process is given (environment, working directory, input, arguments) and what comes back. */
@NoNativeLeak(patterns = TestFixtures.PATTERN, requireMatch = false)
class ProcessOptionsTest {
    static final String SCRIPT = "src/test/python/io_fixture.py";

    @Test
    void relativeScriptResolvesAgainstTheModuleAndRunsThere(PythonFixture python) {
        FixtureRun run = python.run(SCRIPT, "a b", "c");
        assertThat(run.outcome()).isEqualTo(Outcome.CLEAN);
        assertThat(run.exitCode()).hasValue(0);
        assertThat(run.signal()).isEmpty();
        assertThat(run.stdout()).contains("cwd=" + Settings.moduleDirectory(), "args=a b,c", "stdin=\n", "greeting=<unset>");
        assertThat(run.stderr()).isEqualTo("to stderr\n");
        assertThat(run.report().fixture().target()).isEqualTo(SCRIPT);
    }

    @Test
    void environmentWorkingDirectoryAndStdinText(PythonFixture python, @TempDir Path directory) {
        FixtureRun run = python.withEnvironment("NNL_GREETING", "hello from Java")
                .withWorkingDirectory(directory)
                .withStdin("line one\nline two\n")
                .run(SCRIPT);
        assertThat(run.stdout()).contains("greeting=hello from Java", "cwd=" + directory, "stdin=line one\nline two");
    }

    @Test
    void inheritedVariableCanBeRemoved(PythonFixture python) {
        FixtureRun inherited = python.withEnvironment("NNL_REMOVED", "present").run(SCRIPT);
        FixtureRun removed = python.withEnvironment("NNL_REMOVED", "present").withEnvironment("NNL_REMOVED", null).run(SCRIPT);
        assertThat(inherited.stdout()).contains("removed=present");
        assertThat(removed.stdout()).contains("removed=<unset>");
    }

    @Test
    void relativeWorkingDirectoryAndStdinFile(PythonFixture python) {
        FixtureRun run = python.withWorkingDirectory(Path.of("src/test/python"))
                .withStdin(Path.of("src/test/python/touch.py"))
                .run(SCRIPT);
        assertThat(run.stdout()).contains("cwd=" + Settings.moduleDirectory().resolve("src/test/python"),
                "stdin=\"\"\"Creates the file named by its argument");
    }

    @Test
    void exitCodeAndOutputOfAFailedProbe(PythonFixture python) {
        FixtureRun run = python.withEnvironment("NNL_EXIT", "5").probe(SCRIPT);
        assertThat(run.outcome()).isEqualTo(Outcome.FIXTURE_FAILED);
        assertThat(run.exitCode()).hasValue(5);
        assertThat(run.stdout()).contains("args=");
        assertThat(run.isGated()).isFalse();
    }

    @Test
    void largeOutputNeitherBlocksNorIsLost(PythonFixture python, @TempDir Path directory) throws Exception {
        Path script = Files.writeString(directory.resolve("chatty.py"),
                "import sys\nfor i in range(200000):\n    print('line', i)\n    print('err', i, file=sys.stderr)\n");
        FixtureRun run = python.run(script.toString());
        assertThat(run.outcome()).isEqualTo(Outcome.CLEAN);
        assertThat(run.stdout()).startsWith("line 0\n").endsWith("line 199999\n");
        assertThat(run.stderr()).endsWith("err 199999\n");
    }

    @Test
    void namedRunsNameTheirReports(PythonFixture python) {
        FixtureRun run = python.withName("io-check").run(SCRIPT);
        assertThat(run.name()).startsWith("io-check");
        assertThat(run.reportFile().getFileName().toString()).startsWith("io-check").endsWith(".json");
        assertThat(run.reportFile()).exists();
    }

    @Test
    void defaultNameSaysTestAndFixture(PythonFixture python) {
        FixtureRun run = python.run(SCRIPT);
        assertThat(run.name()).startsWith("ProcessOptionsTest.defaultNameSaysTestAndFixture.io_fixture");
        assertThat(run.reportFile().getParent()).isEqualTo(Settings.moduleDirectory().resolve("target/nonativeleak"));
    }

    @Test
    void overridesMakeCopiesAndLeaveTheOriginalAlone(PythonFixture python) {
        PythonFixture warm = python.withWarmup(1).withPatterns("no_such_function");
        FixtureRun original = python.probe(TestKit.fixture("warm_cache.py"));
        FixtureRun copy = warm.probe(TestKit.fixture("warm_cache.py"));
        assertThat(original.report().fixture().warmup()).isZero();
        assertThat(original.report().patterns()).containsExactly(TestFixtures.PATTERN);
        assertThat(original.outcome()).isEqualTo(Outcome.LEAKED);
        assertThat(copy.report().fixture().warmup()).isEqualTo(1);
        assertThat(copy.report().patterns()).containsExactly("no_such_function");
    }

    @Test
    void callablesAreImportedFromTheWorkingDirectoryOrPythonPath(PythonFixture python) {
        FixtureRun fromDirectory = python.withWorkingDirectory(TestFixtures.directory()).probeCall("callables:leak", "3");
        FixtureRun fromPath = python.withEnvironment("PYTHONPATH", TestFixtures.directory().toString()).probeCall("callables:leak", "2");
        assertThat(fromDirectory.leakCount()).isEqualTo(3);
        assertThat(fromPath.leakCount()).isEqualTo(2);
        assertThat(fromPath.leakedBytes()).isEqualTo(2000);
        assertThat(fromPath.matched().count()).isEqualTo(2);
        assertThat(fromPath.sites()).singleElement().satisfies(site -> assertThat(site.innermostPythonFrame().source())
                .startsWith("_lib.leak_block(int(size))"));
    }
}
