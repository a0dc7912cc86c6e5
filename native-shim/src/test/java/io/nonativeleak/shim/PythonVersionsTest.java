package io.nonativeleak.shim;

import static io.nonativeleak.shim.testing.TestFixtures.PATTERN;
import static io.nonativeleak.shim.testing.TestFixtures.lineOf;
import static io.nonativeleak.shim.testing.TestFixtures.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.PyFrame;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Python stacks on every supported CPython: the frame layouts differ per minor version. */
class PythonVersionsTest {
    @TempDir
    Path reports;

    private Path interpreter(String version) {
        Path pyenv = Path.of(System.getProperty("user.home"), ".pyenv", "versions");
        try (var versions = Files.list(pyenv)) {
            Path found = versions.filter(v -> v.getFileName().toString().startsWith(version + "."))
                    .map(v -> v.resolve("bin/python" + version)).filter(Files::isExecutable).findFirst().orElse(null);
            assumeTrue(found != null, "CPython " + version + " is not installed under " + pyenv);
            return found;
        } catch (java.io.IOException e) {
            assumeTrue(false, "no pyenv interpreters: " + e);
            return null;
        }
    }

    private RunReport run(String version, String fixture) {
        return FixtureLauncher.prepare(FixtureSpec.script(script(fixture).toString()).patterns(List.of(PATTERN))
                .python(interpreter(version).toString()).baseDirectory(TestFixtures.directory())
                .reportDirectory(reports).name(fixture + "-" + version).build()).run().report();
    }

    @ParameterizedTest(name = "CPython {0}")
    @ValueSource(strings = {"3.9", "3.10", "3.11", "3.12", "3.13"})
    void mainThreadLeakHasItsPythonLine(String version) {
        RunReport report = run(version, "leak.py");

        assertThat(report.pythonStacks().enabled()).as(report.pythonStacks().reason()).isTrue();
        assertThat(report.fixture().pythonVersion()).startsWith(version + ".");
        assertThat(report.outcome()).isEqualTo(Outcome.LEAKED);
        LeakSite site = report.sites().get(0);
        assertThat(site.thread()).isEqualTo("MainThread");
        assertThat(site.pythonStack()).extracting(PyFrame::file, PyFrame::line, PyFrame::function).containsExactly(
                org.assertj.core.groups.Tuple.tuple("leak.py", lineOf("leak.py", "LEAK-LINE"), "<module>"),
                org.assertj.core.groups.Tuple.tuple("leaky.py", lineOf("leaky.py", "BLOCK-LINE"), "leak"));
    }

    @ParameterizedTest(name = "CPython {0}")
    @ValueSource(strings = {"3.9", "3.10", "3.11", "3.12", "3.13"})
    void workerThreadLeakHasItsPythonLineAndName(String version) {
        RunReport report = run(version, "threads.py");

        LeakSite worker = report.sites().stream().filter(s -> s.thread().equals("leaky-worker")).findFirst().orElseThrow();
        assertThat(worker.count()).isEqualTo(2);
        assertThat(worker.pythonStack()).extracting(PyFrame::line).contains(lineOf("threads.py", "WORKER-LINE"));
        assertThat(worker.innermostPythonFrame().function()).isEqualTo("leak");
        LeakSite nativeThread = report.sites().stream().filter(s -> s.count() == 3).findFirst().orElseThrow();
        assertThat(nativeThread.pythonStackStatus()).isEqualTo("THREAD_RUNS_NO_PYTHON");
    }
}
