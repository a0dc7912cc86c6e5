package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.ReportJson;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.testing.BadInterpreters;
import io.nonativeleak.shim.testing.TestFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckMojoTest {
    @TempDir
    Path project;

    private final RecordingLog log = new RecordingLog();

    private static String fixture(String name) {
        return TestFixtures.script(name).toString();
    }

    @Test
    void aLeakyFixtureFailsTheBuildNamingThePythonLineWithBothStacks() throws Exception {
        CheckMojo mojo = Mojos.check(project, log);
        mojo.fixtures = new ArrayList<>(List.of(Mojos.script(fixture("leak.py"), "4", "1000")));

        assertThatThrownBy(mojo::execute)
                .isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("1 of 1 fixtures not CLEAN: leak (LEAKED)");

        String text = log.text();
        assertThat(text).contains("Running fixture leak: " + fixture("leak.py") + " 4 1000");
        assertThat(text).containsPattern("Fixture leak: LEAKED in \\d+\\.\\d\\d s - 4 allocations \\(4000 bytes\\) still live");
        assertThat(text).containsPattern("fixture +outcome +leaked +bytes +duration");
        assertThat(text).containsPattern("leak +LEAKED +4 +4000 +\\d+\\.\\d\\d s");
        assertThat(text).contains("CallStack[1]: may-leak=4 (4000 bytes)");
        assertThat(text).contains("leak_block");                                   // C stack, frame 0
        assertThat(text).contains("leak.py:" + TestFixtures.lineOf("leak.py", "LEAK-LINE") + " in <module>");
        assertThat(text).contains("leaky.leak(count, size)  # LEAK-LINE");       // the Python source line
        RunReport report = ReportJson.read(project.resolve("target/nonativeleak/leak.json"));
        assertThat(report.outcome()).isEqualTo(Outcome.LEAKED);
    }

    @Test
    void aCleanFixturePasses() throws Exception {
        CheckMojo mojo = Mojos.check(project, log);
        mojo.fixtures = new ArrayList<>(List.of(Mojos.script(fixture("clean.py"))));

        mojo.execute();

        assertThat(log.text()).contains("All 1 fixtures CLEAN").containsPattern("clean +CLEAN +0 +0 ");
        assertThat(project.resolve("target/nonativeleak/clean.json")).exists();
    }

    @Test
    void failOnLeakFalseReportsTheLeakAndLetsTheBuildGoOn() throws Exception {
        CheckMojo mojo = Mojos.check(project, log);
        mojo.failOnLeak = false;
        mojo.fixtures = new ArrayList<>(List.of(Mojos.script(fixture("leak.py"))));

        mojo.execute();

        assertThat(log.text()).contains("[WARNING] 1 of 1 fixtures not CLEAN: leak (LEAKED)")
                .contains("nonativeleak.failOnLeak=false");
    }

    @Test
    void eachFixtureOverridesThePluginLevelSettings() throws Exception {
        Fixture allowed = Mojos.script(fixture("leak.py"), "3", "1000");
        allowed.setName("allowed");
        allowed.setMaxLeaks(3L);
        allowed.setMaxLeakedBytes(3000L);
        Fixture watchingNothing = Mojos.script(fixture("leak.py"));
        watchingNothing.setName("misspelt");
        watchingNothing.setPatterns(List.of("leak_blok"));
        Fixture lenient = Mojos.script(fixture("nothing.py"));
        lenient.setName("lenient");
        lenient.setRequireMatch(false);
        Fixture warmed = Mojos.script(fixture("warm_cache.py"));
        warmed.setName("warmed");
        warmed.setWarmup(1);                 // without it the cache would be LEAKED
        warmed.setRequireMatch(false);       // after warm-up the measured run allocates nothing
        CheckMojo mojo = Mojos.check(project, log);
        mojo.fixtures = new ArrayList<>(List.of(allowed, watchingNothing, lenient, warmed));

        assertThatThrownBy(mojo::execute).isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("1 of 4 fixtures not CLEAN: misspelt (NO_MATCH)");
        assertThat(log.text()).containsPattern("allowed +CLEAN +3 +3000")
                .containsPattern("misspelt +NO_MATCH +0 +0")
                .containsPattern("lenient +CLEAN")
                .containsPattern("warmed +CLEAN");
    }

    @Test
    void aCallableRunsLikeAScript() throws Exception {
        Fixture call = new Fixture();
        call.setCall("callables:leak");
        call.setArgs(List.of("2"));
        call.setWorkingDirectory(TestFixtures.directory().toFile());
        call.getEnvironment().put("PYTHONPATH", TestFixtures.directory().toString());
        CheckMojo mojo = Mojos.check(project, log);
        mojo.fixtures = new ArrayList<>(List.of(call));

        assertThatThrownBy(mojo::execute).isInstanceOf(MojoFailureException.class).hasMessageContaining("leak (LEAKED)");
        assertThat(log.text()).contains("may-leak=2 (2000 bytes)").contains("callables.py");
    }

    @Test
    void aHangingFixtureIsKilledAtItsTimeout() throws Exception {
        Fixture hang = Mojos.script(fixture("hang.py"));
        hang.setTimeoutSeconds(3L);
        CheckMojo mojo = Mojos.check(project, log);
        mojo.fixtures = new ArrayList<>(List.of(hang));
        long started = System.nanoTime();

        assertThatThrownBy(mojo::execute).isInstanceOf(MojoFailureException.class).hasMessageContaining("hang (TIMED_OUT)");

        assertThat((System.nanoTime() - started) / 1_000_000_000).isLessThan(60);
        assertThat(log.text()).contains("timeout of 3 s");
    }

    @Test
    void everyConfigurationErrorIsReportedTogetherWithItsParameterBeforeAnythingRuns() throws Exception {
        Fixture badPattern = Mojos.script(fixture("leak.py"));
        badPattern.setName("bad-pattern");
        badPattern.setPatterns(List.of("leak_block ... a||b"));
        Fixture missing = Mojos.script("src/test/python/no_such_fixture.py");
        Fixture noPython = Mojos.script(fixture("clean.py"));
        noPython.setName("no-python");
        noPython.setPython("/nonexistent/bin/python3");
        Fixture neither = new Fixture();
        CheckMojo mojo = Mojos.check(project, log);
        mojo.fixtures = new ArrayList<>(List.of(Mojos.script(fixture("leak.py")), badPattern, missing, noPython));

        assertThatThrownBy(mojo::execute).isInstanceOf(MojoExecutionException.class)
                .hasMessageContaining("no fixture was run")
                .hasMessageContaining("fixtures[2] (bad-pattern).patterns: invalid stack pattern 'leak_block ... a||b' at position 18: empty alternative")
                .hasMessageContaining("fixtures[3] (no_such_fixture).script: fixture script not found: " + project.resolve("src/test/python/no_such_fixture.py"))
                .hasMessageContaining("fixtures[4] (no-python).python: Python interpreter not found: /nonexistent/bin/python3");
        assertThat(reports()).isEmpty();
        assertThat(log.text()).doesNotContain("Running fixture");

        mojo.fixtures = new ArrayList<>(List.of(neither));
        assertThatThrownBy(mojo::execute).isInstanceOf(MojoExecutionException.class)
                .hasMessageContaining("fixtures[1]: give exactly one of <script> and <call> (neither is set)");
    }

    @Test
    void aFixtureWithSeveralProblemsGetsALineForEach() {
        Fixture f = Mojos.script("src/test/python/no_such_fixture.py");
        f.setWarmup(-1);
        f.setIgnore(List.of("obj:", "leak_block"));
        CheckMojo mojo = Mojos.check(project, log);
        mojo.fixtures = new ArrayList<>(List.of(f));

        assertThatThrownBy(mojo::execute).isInstanceOf(MojoExecutionException.class)
                .hasMessageContaining("\n  - fixtures[1] (no_such_fixture): warmup must be 0 or more, not -1\n")
                .hasMessageContaining("\n  - fixtures[1] (no_such_fixture).script: fixture script not found: ")
                .hasMessageContaining("\n  - fixtures[1] (no_such_fixture).ignore (pattern 1): invalid stack pattern 'obj:'");
        assertThat(log.text()).doesNotContain("Running fixture");
    }

    /** Issue 12 item 5: each bad interpreter is one line, naming the fixture's python parameter, before anything runs. */
    @Test
    void everyBadInterpreterIsOneClearLineBeforeAnythingRuns() throws Exception {
        List<Fixture> fixtures = new ArrayList<>();
        List<BadInterpreters.Case> cases = new ArrayList<>(BadInterpreters.make().values());
        for (BadInterpreters.Case bad : cases) {
            Fixture fixture = Mojos.script(fixture("leak.py"));
            fixture.setName(bad.name());
            fixture.setPython(bad.python().toString());
            fixtures.add(fixture);
        }
        CheckMojo mojo = Mojos.check(project, log);
        mojo.fixtures = fixtures;

        Throwable failure = catchThrowable(mojo::execute);
        assertThat(failure).isInstanceOf(MojoExecutionException.class).hasMessageContaining("no fixture was run");
        for (int i = 0; i < cases.size(); i++) {
            BadInterpreters.Case bad = cases.get(i);
            String line = "fixtures[" + (i + 1) + "] (" + bad.name() + ").python: Python interpreter " + bad.python() + " ";
            assertThat(failure.getMessage().lines().filter(l -> l.strip().replaceFirst("^- ", "").startsWith(line)).findFirst())
                    .as(bad.name()).hasValueSatisfying(l -> assertThat(l).contains(bad.says()).endsWith(BadInterpreters.NEEDS));
        }
        assertThat(reports()).isEmpty();
        assertThat(log.text()).doesNotContain("Running fixture");
    }

    @Test
    void aPluginLevelPatternErrorNamesThePatternsParameter() {
        CheckMojo mojo = Mojos.check(project, log);
        mojo.patterns = new ArrayList<>(List.of("leak_block", "obj:"));
        mojo.fixtures = new ArrayList<>(List.of(Mojos.script(fixture("leak.py"))));

        assertThatThrownBy(mojo::execute).isInstanceOf(MojoExecutionException.class)
                .hasMessageContaining("patterns (pattern 2): invalid stack pattern 'obj:' at position 1: 'obj:' needs a module file name glob");
    }

    @Test
    void anUnwritableReportDirectoryIsAConfigurationError() throws Exception {
        Path blocker = Files.writeString(project.resolve("not-a-directory"), "x");
        CheckMojo mojo = Mojos.check(project, log);
        mojo.reportDirectory = blocker.resolve("nonativeleak").toFile();
        mojo.fixtures = new ArrayList<>(List.of(Mojos.script(fixture("leak.py"))));

        assertThatThrownBy(mojo::execute).isInstanceOf(MojoExecutionException.class)
                .hasMessageContaining("reportDirectory (nonativeleak.reportDirectory): report directory " + blocker.resolve("nonativeleak") + " cannot be written");
        assertThat(log.text()).doesNotContain("Running fixture");
    }

    @Test
    void anUnsupportedPlatformIsAConfigurationErrorBeforeAnythingRuns() {
        CheckMojo mojo = Mojos.check(project, log);
        mojo.fixtures = new ArrayList<>(List.of(Mojos.script(fixture("leak.py"))));
        String os = System.getProperty("os.name");
        System.setProperty("os.name", "Mac OS X");
        try {
            assertThatThrownBy(mojo::execute).isInstanceOf(MojoExecutionException.class)
                    .hasMessageContaining("NoNativeLeak needs Linux x86-64 with glibc; this is Mac OS X. No fixture was run; "
                            + "set nonativeleak.skip=true to skip NoNativeLeak on this machine.");
        } finally {
            System.setProperty("os.name", os);
        }
        assertThat(log.text()).doesNotContain("Running fixture");
    }

    @Test
    void skipSkipTestsAndMavenTestSkipEachSkipTheCheck() throws Exception {
        for (String flag : List.of("skip", "skipTests", "maven.test.skip")) {
            RecordingLog quiet = new RecordingLog();
            CheckMojo mojo = Mojos.check(project, quiet);
            mojo.fixtures = new ArrayList<>(List.of(Mojos.script(fixture("leak.py"))));
            mojo.skip = flag.equals("skip");
            mojo.skipTests = flag.equals("skipTests");
            mojo.mavenTestSkip = flag.equals("maven.test.skip");

            mojo.execute();

            assertThat(quiet.text()).contains("Skipping NoNativeLeak: " + (flag.equals("skip") ? "nonativeleak.skip" : flag) + " is set");
            assertThat(reports()).isEmpty();
        }
    }

    private List<Path> reports() throws IOException {
        Path dir = project.resolve("target/nonativeleak");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".json")).toList();
        }
    }
}
