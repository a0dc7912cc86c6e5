package io.nonativeleak.junit;

import static io.nonativeleak.junit.TestKit.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.ReportJson;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.junit.platform.engine.reporting.FileEntry;
import org.junit.platform.engine.support.descriptor.MethodSource;

/** The gate as a user meets it: what fails, what passes, and what the failure says. */
class GateTest {
    private static TestKit.Results results;

    @NoNativeLeak(patterns = TestFixtures.PATTERN)
    static class GateTestCases {
        @Test
        void leaks(PythonFixture python) {
            python.run(fixture("leak.py"), "3", "1000");
        }

        @Test
        void clean(PythonFixture python) {
            FixtureRun run = python.run(fixture("clean.py"), "5");
            assertThat(run.outcome()).isEqualTo(Outcome.CLEAN);
            assertThat(run.isGated()).isTrue();
        }

        @Test
        void probesNeverFail(PythonFixture python) {
            assertThat(python.probe(fixture("leak.py")).outcome()).isEqualTo(Outcome.LEAKED);
            assertThat(python.probe(fixture("raises.py")).outcome()).isEqualTo(Outcome.FIXTURE_FAILED);
            assertThat(python.probe(fixture("nothing.py")).outcome()).isEqualTo(Outcome.NO_MATCH);
            assertThat(python.probe(fixture("crash.py")).outcome()).isEqualTo(Outcome.CRASHED);
            assertThat(python.withTimeoutSeconds(1).probe(fixture("hang.py")).outcome()).isEqualTo(Outcome.TIMED_OUT);
            FixtureRun call = python.withWorkingDirectory(TestFixtures.directory()).probeCall("callables:leak", "2");
            assertThat(call.outcome()).isEqualTo(Outcome.LEAKED);
            assertThat(call.isGated()).isFalse();
        }

        @Test
        void watchesNothing(PythonFixture python) {
            python.run(fixture("nothing.py"));
        }

        @Test
        void raises(PythonFixture python) {
            python.run(fixture("raises.py"));
        }

        @Test
        void exitsNonZero(PythonFixture python) {
            python.run(fixture("exit_code.py"), "7");
        }

        @Test
        void crashes(PythonFixture python) {
            python.run(fixture("crash.py"), "segv");
        }

        @Test
        void leaksTwiceAmongThreeRuns(PythonFixture python) {
            python.run(fixture("leak.py"), "2", "111");
            python.run(fixture("clean.py"));
            python.run(fixture("leak.py"), "4", "222");
        }

        @Test
        void callsLeakyCallable(PythonFixture python) {
            python.withWorkingDirectory(TestFixtures.directory()).call("callables:leak", "4");
        }

        @Test
        void callsCleanCallable(PythonFixture python) {
            python.withWorkingDirectory(TestFixtures.directory()).call("callables:clean");
        }

        @Test
        void failsItselfAndLeaks(PythonFixture python) {
            python.run(fixture("leak.py"), "1");
            throw new IllegalStateException("the test's own failure");
        }
    }

    @BeforeAll
    static void execute() {
        results = TestKit.execute(GateTestCases.class);
    }

    @Test
    void leakyTestFailsWithBothStacksThePatternAndTheReport() {
        String message = results.failure("leaks").getMessage();
        assertThat(message)
                .startsWith("NoNativeLeak gate: " + fixture("leak.py") + " 3 1000 is LEAKED, not CLEAN")
                .contains("patterns: " + TestFixtures.PATTERN)
                .contains("3 matching allocations (3000 bytes) still live at the checkpoint")
                .contains("CallStack[1]: may-leak=3 (3000 bytes)")
                .contains("C stack (frame 0 first):\n      leak_block  (libleaky.so+")
                .contains("Python stack (innermost last):")
                .contains("leak.py:" + TestFixtures.lineOf("leak.py", "LEAK-LINE") + " in <module>\n"
                        + "          leaky.leak(count, size)  # LEAK-LINE");
        Path reportFile = reportIn(message);
        RunReport report = ReportJson.read(reportFile);
        assertThat(report.outcome()).isEqualTo(Outcome.LEAKED);
        assertThat(report.fixture().args()).containsExactly("3", "1000");
        assertThat(report.name()).startsWith("GateTest.GateTestCases.leaks.leak");
        assertThat(reportFile.getParent()).isEqualTo(Settings.moduleDirectory().resolve("target/nonativeleak"));
    }

    @Test
    void cleanTestPasses() {
        results.succeeded("clean");
        results.succeeded("callsCleanCallable");
    }

    @Test
    void probesNeverFailTheTest() {
        assertThat(results.status("probesNeverFail")).as(results.dump()).isEqualTo(Status.SUCCESSFUL);
    }

    @Test
    void noMatchFailsWithItsExplanation() {
        assertThat(results.failure("watchesNothing").getMessage())
                .contains("nothing.py is NO_MATCH, not CLEAN")
                .contains("no allocation of the measured run matched any pattern: the gate was watching nothing")
                .contains("patterns: leak_block")
                .contains("matched:  0 allocations (0 bytes)");
    }

    @Test
    void fixtureThatRaisesFailsWithItsTraceback() {
        assertThat(results.failure("raises").getMessage())
                .contains("raises.py is FIXTURE_FAILED, not CLEAN")
                .contains("the fixture raised ValueError: boom from the fixture")
                .contains("raises.py\", line 4, in <module>");
    }

    @Test
    void fixtureThatExitsNonZeroFails() {
        assertThat(results.failure("exitsNonZero").getMessage())
                .contains("exit_code.py 7 is FIXTURE_FAILED, not CLEAN")
                .contains("the process exited with code 7");
    }

    @Test
    void crashFailsWithWhatWasRecordedAndTheDyingWords() {
        assertThat(results.failure("crashes").getMessage())
                .contains("crash.py segv is CRASHED, not CLEAN")
                .contains("signal 11 (SIGSEGV)")
                .contains("CallStack[1]: may-leak=4 (4000 bytes)")
                .contains("standard error:")
                .contains("Fatal Python error: Segmentation fault");
    }

    @Test
    void everyRunThatIsNotCleanIsReportedTogether() {
        String message = results.failure("leaksTwiceAmongThreeRuns").getMessage();
        assertThat(message)
                .startsWith("2 gated fixture runs were not CLEAN")
                .contains("[1] NoNativeLeak gate: " + fixture("leak.py") + " 2 111 is LEAKED")
                .contains("2 matching allocations (222 bytes)")
                .contains("[2] NoNativeLeak gate: " + fixture("leak.py") + " 4 222 is LEAKED")
                .contains("4 matching allocations (888 bytes)")
                .doesNotContain("clean.py");
        assertThat(reportIn(message)).isNotEqualTo(reportIn(message.substring(message.indexOf("[2]"))));
    }

    @Test
    void callablesAreGatedToo() {
        assertThat(results.failure("callsLeakyCallable").getMessage())
                .contains("callables:leak 4 is LEAKED, not CLEAN")
                .contains("callables.py:6 in leak\n          leaky.leak(int(count), 1000)");
    }

    @Test
    void theTestsOwnFailureComesFirstAndTheLeakIsAttached() {
        Throwable failure = results.failure("failsItselfAndLeaks");
        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("the test's own failure");
        assertThat(failure.getSuppressed()).singleElement()
                .satisfies(s -> assertThat(s.getMessage()).contains("leak.py 1 is LEAKED, not CLEAN"));
    }

    @Test
    void eachReportIsPublishedWithTheTest() {
        List<FileEntry> files = results.events().allEvents().fileEntryPublished().stream()
                .filter(e -> e.getTestDescriptor().getSource().filter(s -> s instanceof MethodSource m && m.getMethodName().equals("leaks")).isPresent())
                .map(e -> e.getRequiredPayload(FileEntry.class)).toList();
        assertThat(files).singleElement().satisfies(file -> {
            assertThat(file.getPath()).startsWith(results.outputDirectory()).hasExtension("json");
            assertThat(ReportJson.read(file.getPath()).outcome()).isEqualTo(Outcome.LEAKED);
            assertThat(file.getMediaType()).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        });
    }

    static Path reportIn(String message) {
        Matcher report = Pattern.compile("report: (\\S+\\.json)").matcher(message);
        assertThat(report.find()).as("a report path in %s", message).isTrue();
        return Path.of(report.group(1));
    }
}
