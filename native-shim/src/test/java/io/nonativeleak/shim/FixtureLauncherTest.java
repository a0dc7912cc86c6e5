package io.nonativeleak.shim;

import static io.nonativeleak.shim.testing.TestFixtures.PATTERN;
import static io.nonativeleak.shim.testing.TestFixtures.lineOf;
import static io.nonativeleak.shim.testing.TestFixtures.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.ProcessSummary;
import io.nonativeleak.shim.report.PyFrame;
import io.nonativeleak.shim.report.PythonStacks;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real fixture processes under the real shim: every outcome and the report of docs/reports.md. */
class FixtureLauncherTest {
    @TempDir
    Path reports;

    private FixtureSpec.Builder fixture(String name, String... args) {
        return FixtureSpec.script(script(name).toString()).args(args).patterns(List.of(PATTERN))
                .python(TestFixtures.python()).baseDirectory(TestFixtures.directory()).reportDirectory(reports);
    }

    private static RunReport run(FixtureSpec.Builder spec) {
        return FixtureLauncher.prepare(spec.build()).run();
    }

    @Test
    void leakIsReportedWithBothStacksAtTheAllocatingLine() {
        RunReport report = run(fixture("leak.py", "3", "1000"));

        assertThat(report.outcome()).isEqualTo(Outcome.LEAKED);
        assertThat(report.leaked().count()).isEqualTo(3);
        assertThat(report.leaked().bytes()).isEqualTo(3000);
        assertThat(report.sites()).hasSize(1);
        LeakSite site = report.sites().get(0);
        assertThat(site.cStack().get(0).symbol()).isEqualTo("leak_block");
        assertThat(site.cStack().get(0).module()).isEqualTo("libleaky.so");
        assertThat(site.thread()).isEqualTo("MainThread");
        assertThat(site.innermostPythonFrame().file()).isEqualTo("leaky.py");
        assertThat(site.innermostPythonFrame().function()).isEqualTo("leak");
        PyFrame scriptFrame = site.pythonStack().get(0);
        assertThat(scriptFrame.file()).isEqualTo("leak.py");
        assertThat(scriptFrame.function()).isEqualTo("<module>");
        assertThat(scriptFrame.line()).isEqualTo(lineOf("leak.py", "LEAK-LINE"));
        assertThat(scriptFrame.source()).startsWith("leaky.leak(count, size)");
        assertThat(site.pythonStack()).hasSize(2); // the runner's own frames are left out
    }

    @Test
    void freedAllocationsAreClean() {
        RunReport report = run(fixture("clean.py", "5"));

        assertThat(report.outcome()).isEqualTo(Outcome.CLEAN);
        assertThat(report.matched().count()).isEqualTo(5);
        assertThat(report.leaked().count()).isZero();
        assertThat(report.sites()).isEmpty();
    }

    @Test
    void allowancesLetASmallLeakPass() {
        assertThat(run(fixture("leak.py", "2", "100").maxLeaks(2).maxLeakedBytes(200)).outcome()).isEqualTo(Outcome.CLEAN);
        assertThat(run(fixture("leak.py", "2", "100").maxLeaks(2).maxLeakedBytes(199)).outcome()).isEqualTo(Outcome.LEAKED);
    }

    @Test
    void nothingMatchingIsNoMatchUnlessMatchesAreNotRequired() {
        RunReport report = run(fixture("nothing.py"));
        assertThat(report.outcome()).isEqualTo(Outcome.NO_MATCH);
        assertThat(report.reason()).contains("watching nothing");

        assertThat(run(fixture("nothing.py").requireMatch(false)).outcome()).isEqualTo(Outcome.CLEAN);
    }

    @Test
    void ignorePatternsExcludeMatchingStacks() {
        RunReport report = run(fixture("leak.py").ignore(List.of("* ... PyCFuncPtr_call")));
        assertThat(report.outcome()).isEqualTo(Outcome.NO_MATCH);
    }

    @Test
    void ignorePatternsApplyWhenEveryAllocationIsTracked() {
        RunReport everything = run(fixture("leak.py").patterns(List.of()).requireMatch(false));
        assertThat(everything.sites()).anyMatch(s -> "leak_block".equals(s.cStack().get(0).symbol()));

        RunReport ignored = run(fixture("leak.py").patterns(List.of()).ignore(List.of(PATTERN)).requireMatch(false));
        assertThat(ignored.sites()).noneMatch(s -> "leak_block".equals(s.cStack().get(0).symbol()));
    }

    @Test
    void warmUpRunsAreNeverJudged() {
        assertThat(run(fixture("warm_cache.py")).outcome()).isEqualTo(Outcome.LEAKED);
        RunReport warmedUp = run(fixture("warm_cache.py").warmup(1));
        assertThat(warmedUp.outcome()).isEqualTo(Outcome.NO_MATCH); // the measured run allocated nothing
        assertThat(warmedUp.matched().count()).isZero();
    }

    @Test
    void aRaisingFixtureFailsWithItsTraceback() {
        RunReport report = run(fixture("raises.py"));

        assertThat(report.outcome()).isEqualTo(Outcome.FIXTURE_FAILED);
        assertThat(report.reason()).contains("ValueError: boom from the fixture");
        assertThat(report.error()).contains("raises.py");
        assertThat(report.leaked().count()).isEqualTo(2); // what it leaked before raising is still reported
    }

    @Test
    void aNonZeroExitFailsTheFixture() {
        RunReport report = run(fixture("exit_code.py", "7"));
        assertThat(report.outcome()).isEqualTo(Outcome.FIXTURE_FAILED);
        assertThat(report.exitCode()).isEqualTo(7);
    }

    @Test
    void aCrashKeepsWhatWasRecorded() {
        RunReport segv = run(fixture("crash.py", "segv"));
        assertThat(segv.outcome()).isEqualTo(Outcome.CRASHED);
        assertThat(segv.signal()).isEqualTo(11);
        assertThat(segv.leaked().count()).isEqualTo(4);

        RunReport killed = run(fixture("crash.py", "kill"));
        assertThat(killed.outcome()).isEqualTo(Outcome.CRASHED);
        assertThat(killed.signal()).isEqualTo(9);
        assertThat(killed.leaked().count()).isEqualTo(4);
        assertThat(killed.sites().get(0).pythonStack().get(0).file()).isEqualTo("crash.py");
        // The runner wrote no result: whether Python stacks were read comes from the data file, which outlives it.
        assertThat(killed.pythonStacks()).isEqualTo(new PythonStacks(true, ""));
    }

    @Test
    void aHangingFixtureIsKilledWithItsWholeProcessTree() throws Exception {
        String marker = "nonativeleak-hang-" + java.util.UUID.randomUUID();
        long before = System.nanoTime();
        // 8 s: the fixture starts three interpreters before it prints; on a loaded 2-CPU machine 3 s was not enough.
        RunReport report = FixtureLauncher.prepare(fixture("hang.py", marker).timeoutSeconds(8).build()).run();

        assertThat(report.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat((System.nanoTime() - before) / 1_000_000_000).isLessThan(30);
        assertThat(Path.of(report.stdout())).content().contains("hanging");
        assertThat(report.leaked().count()).isEqualTo(2);
        assertThat(processesRunning(marker)).isZero();
    }

    @Test
    void pythonThreadsAreNamedAndNativeThreadsSaySoInsteadOfAStack() {
        RunReport report = run(fixture("threads.py"));

        LeakSite worker = report.sites().stream().filter(s -> s.thread().equals("leaky-worker")).findFirst().orElseThrow();
        assertThat(worker.count()).isEqualTo(2);
        assertThat(worker.pythonStack()).extracting(PyFrame::line).contains(lineOf("threads.py", "WORKER-LINE"));
        assertThat(worker.pythonStack()).extracting(PyFrame::function).contains("work");
        LeakSite nativeThread = report.sites().stream().filter(s -> s.count() == 3).findFirst().orElseThrow();
        assertThat(nativeThread.pythonStackStatus()).isEqualTo("THREAD_RUNS_NO_PYTHON");
        assertThat(nativeThread.pythonStack()).isEmpty();
    }

    @Test
    void threadNamesTheRunnerCannotEncodeNeverStopTheThread() {
        RunReport report = run(fixture("thread_names.py"));

        assertThat(report.outcome()).isEqualTo(Outcome.LEAKED); // not FIXTURE_FAILED: every target ran
        assertThat(report.leaked().count()).isEqualTo(6);
        assertThat(report.sites()).hasSize(3); // a name that cannot be read leaves the system's thread name
        assertThat(report.sites()).extracting(LeakSite::thread).contains("worker-\\udcff", "nul\\x00name");
        assertThat(report.sites()).allSatisfy(s ->
                assertThat(s.pythonStack()).extracting(PyFrame::line).contains(lineOf("thread_names.py", "NAMED-LINE")));
    }

    @Test
    void forkedChildrenAreTrackedOnTheirOwnAndListed() {
        RunReport report = run(fixture("forks.py"));

        assertThat(report.processes()).hasSize(2);
        ProcessSummary runner = report.processes().get(0);
        ProcessSummary child = report.processes().get(1);
        assertThat(runner.parentPid()).isNull();
        assertThat(child.parentPid()).isEqualTo(runner.pid());
        assertThat(child.judged()).isTrue();
        assertThat(child.ended()).isEqualTo("_exit");
        assertThat(child.exitCode()).isZero();
        assertThat(child.leaked().count()).isEqualTo(5);
        assertThat(runner.leaked().count()).isEqualTo(1); // the child's blocks are not the parent's leaks
        LeakSite childSite = report.sites().stream().filter(s -> s.pid() == child.pid()).findFirst().orElseThrow();
        assertThat(childSite.pythonStack().get(0).line()).isEqualTo(lineOf("forks.py", "CHILD-LINE"));
        assertThat(report.leaked().count()).isEqualTo(6);
    }

    @Test
    void callablesRunWithTheirArguments() {
        RunReport report = run(FixtureSpec.callable("callables:leak").args("4").patterns(List.of(PATTERN))
                .python(TestFixtures.python()).baseDirectory(TestFixtures.directory()).reportDirectory(reports));
        assertThat(report.outcome()).isEqualTo(Outcome.LEAKED);
        assertThat(report.leaked().count()).isEqualTo(4);
        assertThat(report.sites().get(0).pythonStack().get(0).function()).isEqualTo("leak");
    }

    @Test
    void theReportFileHasEveryFieldOfTheContract() throws Exception {
        FixtureLauncher launcher = FixtureLauncher.prepare(fixture("leak.py").warmup(1).build());
        JsonNode json = new ObjectMapper().readTree(launcher.reportFile(launcher.run()).toFile());

        assertThat(json.fieldNames()).toIterable().contains("schemaVersion", "fixture", "patterns", "ignore", "outcome",
                "exitCode", "signal", "durationMillis", "matched", "leaked", "sites", "processes", "timeline");
        assertThat(json.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(json.get("signal").isNull()).isTrue();
        assertThat(json.get("fixture").fieldNames()).toIterable().contains("target", "args", "python", "pythonVersion", "warmup");
        assertThat(json.get("fixture").get("warmup").asInt()).isEqualTo(1);
        JsonNode site = json.get("sites").get(0);
        assertThat(site.fieldNames()).toIterable().contains("count", "bytes", "pid", "thread", "cStack", "pythonStack");
        assertThat(site.get("cStack").get(0).fieldNames()).toIterable().contains("symbol", "module", "offset");
        assertThat(site.get("cStack").get(0).get("offset").asText()).startsWith("0x");
        assertThat(site.get("pythonStack").get(0).fieldNames()).toIterable().containsExactly("file", "line", "function", "source");
        assertThat(json.get("processes").get(0).get("parentPid").isNull()).isTrue();
        assertThat(json.get("timeline").size()).isPositive();
        assertThat(json.get("timeline").get(0).fieldNames()).toIterable().containsExactly("tMillis", "liveBytes", "rssBytes");
    }

    @Test
    void runsOfTheSameNameGetSeparateReports() {
        FixtureLauncher leak = FixtureLauncher.prepare(fixture("leak.py").name("same").build());
        FixtureLauncher clean = FixtureLauncher.prepare(fixture("clean.py").name("same").build());
        Path first = leak.reportFile(leak.run());
        Path second = clean.reportFile(clean.run());
        assertThat(first).isNotEqualTo(second);
        assertThat(first).exists();
        assertThat(second).exists();
    }

    @Test
    void badInputIsRejectedBeforeAnythingRuns() throws Exception {
        assertThatThrownBy(() -> FixtureLauncher.prepare(fixture("leak.py").patterns(List.of("default_malloc||x")).build()))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessageContaining("position 16")
                .hasMessageContaining("empty alternative");
        assertThatThrownBy(() -> FixtureLauncher.prepare(fixture("leak.py").ignore(List.of("a ....")).build()))
                .isInstanceOf(InvalidPatternException.class);
        assertThatThrownBy(() -> FixtureLauncher.prepare(FixtureSpec.script("no/such/fixture.py").reportDirectory(reports).build()))
                .hasMessageContaining("fixture script not found");
        assertThatThrownBy(() -> FixtureLauncher.prepare(FixtureSpec.callable("not a callable").reportDirectory(reports).build()))
                .hasMessageContaining("package.module:function");
        assertThatThrownBy(() -> FixtureLauncher.prepare(fixture("leak.py").python("/no/such/python3").build()))
                .hasMessageContaining("Python interpreter not found");
        assertThatThrownBy(() -> FixtureLauncher.prepare(fixture("leak.py").python("no-such-python-anywhere").build()))
                .hasMessageContaining("not found on PATH");
        assertThat(Files.list(reports)).isEmpty();
    }

    @Test
    void checkTagsEveryProblemWithItsFieldInTheOrderPrepareThrowsThem() throws Exception {
        FixtureSpec spec = FixtureSpec.script("no/such/fixture.py").warmup(-1).patterns(List.of("leak_block", "a||b"))
                .python("/no/such/python3").baseDirectory(TestFixtures.directory()).reportDirectory(reports.resolve("unmade")).build();

        FixtureLauncher.Checked checked = FixtureLauncher.check(spec);

        assertThat(checked.launcher()).isNull();
        assertThat(checked.problems()).extracting(GateSettings.Problem::field)
                .containsExactly(GateSettings.Field.WARMUP, GateSettings.Field.TARGET, GateSettings.Field.PATTERNS, GateSettings.Field.PYTHON);
        assertThat(checked.problems().get(2).index()).as("the second pattern").isEqualTo(1);
        assertThat(checked.problems().get(2).error()).isInstanceOf(InvalidPatternException.class);
        assertThatThrownBy(() -> FixtureLauncher.prepare(spec)).hasMessage("warmup must be 0 or more, not -1");
        assertThat(reports.resolve("unmade")).as("nothing is created for a run that cannot start").doesNotExist();
    }

    @Test
    void aMissingCallableIsAnErrorNotAFixtureFailure() {
        FixtureLauncher launcher = FixtureLauncher.prepare(FixtureSpec.callable("callables:no_such_function")
                .python(TestFixtures.python()).baseDirectory(TestFixtures.directory()).reportDirectory(reports).build());
        assertThatThrownBy(launcher::run).isInstanceOf(NoNativeLeakException.class).hasMessageContaining("no_such_function");
    }

    @Test
    void oldOrNonCPythonInterpretersAreRejected() {
        Path python38 = Path.of(System.getProperty("user.home"), ".pyenv/versions/3.8.18/bin/python3.8");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(python38), "no Python 3.8 here");
        assertThatThrownBy(() -> FixtureLauncher.prepare(fixture("leak.py").python(python38.toString()).build()))
                .hasMessageContaining("needs CPython 3.9 or newer");
    }

    private static long processesRunning(String commandLineFragment) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(commandLineFragment)).orElse(false))
                .count();
    }
}
