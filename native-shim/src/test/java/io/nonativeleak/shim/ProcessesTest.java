package io.nonativeleak.shim;

import static io.nonativeleak.shim.testing.TestFixtures.PATTERN;
import static io.nonativeleak.shim.testing.TestFixtures.lineOf;
import static io.nonativeleak.shim.testing.TestFixtures.script;
import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.ProcessSummary;
import io.nonativeleak.shim.report.PyFrame;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Child processes and libraries that come and go: each process judged on its own, caches never stale. */
class ProcessesTest {
    @TempDir
    Path reports;

    private RunReport run(String fixture, List<String> patterns, String... args) {
        return FixtureLauncher.prepare(FixtureSpec.script(script(fixture).toString()).args(args).patterns(patterns)
                .python(TestFixtures.python()).baseDirectory(TestFixtures.directory()).reportDirectory(reports).build())
                .run();
    }

    @Test
    void execIntoAnotherProgramEndsOneImageAndTracksTheNextFromItsStart() {
        RunReport report = run("exec_child.py", List.of(PATTERN));

        assertThat(report.processes()).hasSize(2);
        ProcessSummary before = report.processes().get(0);
        ProcessSummary after = report.processes().get(1);
        assertThat(after.pid()).isEqualTo(before.pid());
        assertThat(before.ended()).isEqualTo("exec");
        assertThat(before.leaked().count()).isEqualTo(2);
        assertThat(after.judged()).isTrue();
        assertThat(after.leaked().count()).isEqualTo(3);
        assertThat(report.leaked().count()).isEqualTo(5);
        LeakSite beforeExec = report.sites().stream().filter(s -> s.bytes() == 800).findFirst().orElseThrow();
        assertThat(beforeExec.pythonStack().get(0).line()).isEqualTo(lineOf("exec_child.py", "BEFORE-EXEC-LINE"));
    }

    @Test
    void aSubprocessOfTheSameInterpreterHasItsOwnPythonStack() {
        RunReport report = run("subprocess_child.py", List.of(PATTERN));

        ProcessSummary child = report.processes().stream().filter(p -> p.parentPid() != null).findFirst().orElseThrow();
        assertThat(child.judged()).isTrue();
        assertThat(child.exitCode()).isNull(); // a normal return from main: the status is the parent's to know
        assertThat(child.ended()).isEqualTo("exit");
        assertThat(child.leaked().count()).isEqualTo(3);
        LeakSite site = report.sites().stream().filter(s -> s.pid() == child.pid()).findFirst().orElseThrow();
        assertThat(site.pythonStackStatus()).isEqualTo("CAPTURED");
        assertThat(site.pythonStack()).extracting(PyFrame::file).contains("<string>");
        assertThat(report.leaked().count()).isEqualTo(4);
    }

    @ParameterizedTest(name = "multiprocessing {0}")
    @ValueSource(strings = {"fork", "spawn", "forkserver"})
    void multiprocessingChildrenAreTrackedAndJudged(String method) {
        RunReport report = run("mp_children.py", List.of(PATTERN), method);

        assertThat(report.outcome()).isEqualTo(Outcome.LEAKED);
        List<LeakSite> sites = report.sites().stream()
                .filter(s -> s.pythonStack().stream().anyMatch(p -> p.line() == lineOf("mp_children.py", "MP-LINE")))
                .toList();
        assertThat(sites).hasSize(1);
        assertThat(sites.get(0).count()).isEqualTo(4);
        assertThat(sites.get(0).pid()).isNotEqualTo(report.processes().get(0).pid());
        assertThat(report.leaked().count()).isEqualTo(4);
    }

    @Test
    void aFailedExecInAVforkChildDoesNotRewriteTheParentsEnd() {
        RunReport report = run("failed_exec_then_crash.py", List.of(PATTERN));

        assertThat(report.outcome()).isEqualTo(Outcome.CRASHED);
        assertThat(report.signal()).isEqualTo(11);
        assertThat(report.exitCode()).isNull();
        assertThat(report.processes().get(0).ended()).isEqualTo("signal");
        assertThat(report.leaked().count()).isEqualTo(2);
    }

    @Test
    void osWaitReturnsTheFixturesOwnChildNotAnOrphanedGrandchild() throws Exception {
        RunReport report = FixtureLauncher.prepare(FixtureSpec.script(script("wait_own_child.py").toString())
                .patterns(List.of()).requireMatch(false).python(TestFixtures.python())
                .baseDirectory(TestFixtures.directory()).reportDirectory(reports).build()).run();

        assertThat(report.exitCode()).isZero();
        assertThat(Path.of(report.stdout())).content().contains("os.wait() returned the worker 7");
    }

    @Test
    void aDaemonLeftRunningByAFixtureThatFinishedIsKilled() {
        String marker = "nonativeleak-daemon-" + java.util.UUID.randomUUID();
        RunReport report = run("daemon_left.py", List.of(), marker);

        assertThat(report.exitCode()).isZero();
        assertThat(ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))).isEmpty();
    }

    @Test
    void aChildThatExecsAStaticProgramSaysSoInsteadOfKilled(@TempDir Path work) throws Exception {
        Path program = work.resolve("exits5");
        Files.writeString(work.resolve("exits5.c"), "int main(void) { return 5; }\n");
        Process gcc = new ProcessBuilder("gcc", "-static", "-o", program.toString(), work.resolve("exits5.c").toString())
                .inheritIO().start();
        assertThat(gcc.waitFor()).as("gcc -static (needs libc6-dev)").isZero();

        RunReport report = FixtureLauncher.prepare(FixtureSpec.script(script("exec_static.py").toString())
                .args(program.toString()).patterns(List.of(PATTERN)).requireMatch(false).python(TestFixtures.python())
                .baseDirectory(TestFixtures.directory()).reportDirectory(reports).build()).run();

        assertThat(Path.of(report.stdout())).content().contains("child exit code 5");
        ProcessSummary child = report.processes().stream().filter(p -> p.parentPid() != null).findFirst().orElseThrow();
        assertThat(child.ended()).isEqualTo("exec");
        assertThat(child.exitCode()).isNull(); // the static program's status is its parent's to know
        assertThat(child.reason()).contains(program.toString()).contains("statically linked");
    }

    @Test
    void aSanitizerRuntimeInLdPreloadStaysFirstAndTheBlindGateSaysSo() {
        Path asan = Path.of("/usr/lib/x86_64-linux-gnu/libasan.so.8");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(asan), "gcc's libasan is not installed");
        RunReport report = FixtureLauncher.prepare(FixtureSpec.script(script("leak.py").toString())
                .patterns(List.of(PATTERN)).python(TestFixtures.python()).environment(Map.of("LD_PRELOAD", asan.toString(),
                        "ASAN_OPTIONS", "detect_leaks=0"))
                .baseDirectory(TestFixtures.directory()).reportDirectory(reports).build()).run();

        assertThat(Path.of(report.stderr())).content().doesNotContain("ASan runtime does not come first");
        assertThat(report.outcome()).isEqualTo(Outcome.INCOMPLETE); // never a silent NO_MATCH
        assertThat(report.reason()).contains("libasan.so.8").contains("blind");
        assertThat(report.processes().get(0).reason()).contains("libasan.so.8");
    }

    @Test
    void underAPreloadedThreadSanitizerTheShimComesFirstAndStillSeesEveryAllocation() {
        Path tsan = Path.of("/usr/lib/x86_64-linux-gnu/libtsan.so.2");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(tsan), "gcc's libtsan is not installed");
        RunReport report = FixtureLauncher.prepare(FixtureSpec.script(script("leak.py").toString()).args("3", "100")
                .patterns(List.of(PATTERN)).python(TestFixtures.python()).environment(Map.of("LD_PRELOAD", tsan.toString()))
                .baseDirectory(TestFixtures.directory()).reportDirectory(reports).build()).run();

        assertThat(report.outcome()).isEqualTo(Outcome.LEAKED);
        assertThat(report.leaked().count()).isEqualTo(3);
    }

    @Test
    void aLibraryLoadedWhereAnotherWasUnloadedIsNotMistakenForIt() {
        RunReport report = run("reload.py", List.of(PATTERN, "other_block"));

        LeakSite first = report.sites().stream().filter(s -> s.bytes() == 111).findFirst().orElseThrow();
        LeakSite second = report.sites().stream().filter(s -> s.bytes() == 444).findFirst().orElseThrow();
        assertThat(first.cStack().get(0).symbol()).isEqualTo("leak_block");
        assertThat(first.cStack().get(0).module()).isEqualTo("libfirst.so");
        assertThat(first.pattern()).isEqualTo(PATTERN);
        assertThat(second.cStack().get(0).symbol()).isEqualTo("other_block");
        assertThat(second.cStack().get(0).module()).isEqualTo("libsecond.so");
        assertThat(second.pattern()).isEqualTo("other_block");
        assertThat(second.innermostPythonFrame().line()).isEqualTo(lineOf("reload.py", "SECOND-LINE"));
    }
}
