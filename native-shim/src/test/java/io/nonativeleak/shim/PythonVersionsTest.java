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

    /**
     * CPython 3.14 and 3.15 are not in pyenv here: scripts/test.sh passes Debian sid's, through
     * scripts/sid-python3.14 and sid-python3.15 (wrappers that exec the interpreter inside a chroot),
     * as -Dnonativeleak.test.python3.14 and -Dnonativeleak.test.python3.15.
     */
    static Path interpreter(String version) {
        String configured = System.getProperty("nonativeleak.test.python" + version, "");
        if (!configured.isBlank()) return Path.of(configured);
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
        return run(version, fixture, PATTERN);
    }

    private RunReport run(String version, String fixture, String pattern) {
        return FixtureLauncher.prepare(FixtureSpec.script(script(fixture).toString()).patterns(List.of(pattern))
                .python(interpreter(version).toString()).baseDirectory(TestFixtures.directory())
                .reportDirectory(reports).name(fixture + "-" + version).build()).run();
    }

    @ParameterizedTest(name = "CPython {0}")
    @ValueSource(strings = {"3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15"})
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
    @ValueSource(strings = {"3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15"})
    void workerThreadLeakHasItsPythonLineAndName(String version) {
        RunReport report = run(version, "threads.py");

        // 3.14+ specialise the call after its first run: the two blocks may come through two C stacks.
        List<LeakSite> workers = report.sites().stream().filter(s -> s.thread().equals("leaky-worker")).toList();
        assertThat(workers.stream().mapToLong(LeakSite::count).sum()).isEqualTo(2);
        for (LeakSite worker : workers) {
            assertThat(worker.pythonStack()).extracting(PyFrame::line).contains(lineOf("threads.py", "WORKER-LINE"));
            assertThat(worker.innermostPythonFrame().function()).isEqualTo("leak");
            assertThat(worker.innermostPythonFrame().line()).isEqualTo(lineOf("leaky.py", "BLOCK-LINE"));
        }
        LeakSite nativeThread = report.sites().stream().filter(s -> s.count() == 3).findFirst().orElseThrow();
        assertThat(nativeThread.pythonStackStatus()).isEqualTo("THREAD_RUNS_NO_PYTHON");
    }

    /** Issue 11 item 6: sites are keyed by code object; a freed one's address, reused, must not lend its name. */
    @ParameterizedTest(name = "CPython {0}")
    @ValueSource(strings = {"3.9", "3.11", "3.13", "3.14"})
    void aFreedCodeObjectsAddressReusedByAnotherFunctionDoesNotLendItsName(String version) {
        RunReport report = run(version, "code_reuse.py");

        assertThat(report.leaked().count()).isEqualTo(20);
        List<String> callers = new java.util.ArrayList<>();
        for (LeakSite site : report.sites()) {
            for (int i = 0; i < site.count(); i++) {
                PyFrame caller = site.pythonStack().get(site.pythonStack().size() - 2);
                callers.add(caller.file() + ":" + caller.function() + ":" + caller.line() + ":" + site.bytes() / site.count());
            }
        }
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) expected.add("generated_" + i + ".py:leak_" + i + ":2:" + (100 + i));
        assertThat(callers).containsExactlyInAnyOrderElementsOf(expected);
    }

    @ParameterizedTest(name = "CPython {0}")
    @ValueSource(strings = {"3.11", "3.14", "3.15"})
    void aForkedChildsLeakIsItsOwnWithItsPythonLine(String version) {
        RunReport report = run(version, "forks.py");

        assertThat(report.outcome()).isEqualTo(Outcome.LEAKED);
        assertThat(report.processes()).hasSize(2);
        var runner = report.processes().get(0);
        var child = report.processes().get(1);
        assertThat(child.parentPid()).isEqualTo(runner.pid());
        assertThat(child.judged()).isTrue();
        assertThat(child.leaked().count()).isEqualTo(5);
        assertThat(runner.leaked().count()).isEqualTo(1);
        LeakSite childSite = report.sites().stream().filter(s -> s.pid() == child.pid()).findFirst().orElseThrow();
        assertThat(childSite.pythonStack()).extracting(PyFrame::file, PyFrame::line).containsExactly(
                org.assertj.core.groups.Tuple.tuple("forks.py", lineOf("forks.py", "CHILD-LINE")),
                org.assertj.core.groups.Tuple.tuple("leaky.py", lineOf("leaky.py", "BLOCK-LINE")));
    }

    @ParameterizedTest(name = "CPython {0}")
    @ValueSource(strings = {"3.11", "3.14", "3.15"})
    void aCppLeakHasItsDemangledFramesAndItsPythonLine(String version) {
        RunReport report = run(version, "cpp_leak.py", "... leaky_cpp::Cache::keep(unsigned?long)");

        assertThat(report.pythonStacks().enabled()).as(report.pythonStacks().reason()).isTrue();
        assertThat(report.outcome()).isEqualTo(Outcome.LEAKED);
        assertThat(report.leaked().count()).isEqualTo(4);
        assertThat(report.leaked().bytes()).isEqualTo(800);
        LeakSite site = report.sites().get(0);
        assertThat(site.cStack()).extracting(io.nonativeleak.shim.report.CFrame::symbol)
                .containsSubsequence("operator new(unsigned long)", "leaky_cpp::Cache::keep(unsigned long)", "leak_cpp");
        assertThat(site.innermostPythonFrame().file()).isEqualTo("cpp_leak.py");
        assertThat(site.innermostPythonFrame().line()).isEqualTo(lineOf("cpp_leak.py", "CPP-LINE"));
        assertThat(site.innermostPythonFrame().source()).isEqualTo("_lib.leak_cpp(count, size)  # CPP-LINE");
    }
}
