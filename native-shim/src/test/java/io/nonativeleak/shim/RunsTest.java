package io.nonativeleak.shim;

import static io.nonativeleak.shim.testing.TestFixtures.PATTERN;
import static io.nonativeleak.shim.testing.TestFixtures.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nonativeleak.shim.report.Counts;
import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.Phase;
import io.nonativeleak.shim.report.ReportJson;
import io.nonativeleak.shim.report.ReportText;
import io.nonativeleak.shim.report.RunCounts;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.report.TimelinePoint;
import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Repeated measured runs (SPEC §4 `runs`) and the runner's phases on the timeline, with real fixtures under the shim. */
class RunsTest {
    @TempDir
    Path reports;

    private FixtureSpec.Builder script(String name, String... args) {
        return FixtureSpec.script(TestFixtures.script(name).toString()).args(args).patterns(List.of(PATTERN))
                .python(TestFixtures.python()).baseDirectory(TestFixtures.directory()).reportDirectory(reports);
    }

    private FixtureSpec.Builder callable(String target) {
        return FixtureSpec.callable(target).patterns(List.of(PATTERN))
                .python(TestFixtures.python()).baseDirectory(TestFixtures.directory()).reportDirectory(reports);
    }

    private static RunReport run(FixtureSpec.Builder spec) {
        return FixtureLauncher.prepare(spec.build()).run();
    }

    @Test
    void aCacheFilledOnceInTheMeasuredRunLeaksWithOneRunButNotWithThree() {
        RunReport once = run(script("warm_cache.py"));
        assertThat(once.outcome()).isEqualTo(Outcome.LEAKED);
        assertThat(once.runs()).isNull();

        RunReport thrice = run(script("warm_cache.py").runs(3));
        assertThat(thrice.outcome()).as(thrice.reason()).isEqualTo(Outcome.CLEAN);
        assertThat(thrice.runs()).extracting(r -> r.leaked().count()).containsExactly(1L, 0L, 0L);
        assertThat(thrice.runs()).extracting(r -> r.matched().count()).containsExactly(1L, 0L, 0L);
        assertThat(thrice.leaked()).isEqualTo(new Counts(1, 4096));
        assertThat(thrice.reason()).contains("[1, 0, 0] allocations");
        assertThat(thrice.sites()).singleElement().satisfies(site ->
                assertThat(site.runs()).containsExactly(new Counts(1, 4096), Counts.NONE, Counts.NONE));
    }

    @Test
    void aLeakThatRepeatsLeaksInEveryRunAndTheSummaryShowsLeakedPerRun() {
        FixtureLauncher launcher = FixtureLauncher.prepare(script("leak.py", "3", "1000").runs(3).build());
        RunReport report = launcher.run();

        assertThat(report.outcome()).isEqualTo(Outcome.LEAKED);
        assertThat(report.runs()).extracting(RunCounts::leaked).containsExactly(new Counts(3, 3000), new Counts(3, 3000), new Counts(3, 3000));
        assertThat(report.runs()).extracting(RunCounts::matched).containsExactly(new Counts(3, 3000), new Counts(3, 3000), new Counts(3, 3000));
        assertThat(report.matched()).isEqualTo(new Counts(9, 9000));
        assertThat(report.leaked()).isEqualTo(new Counts(9, 9000));
        assertThat(report.sites()).singleElement().satisfies(site -> {
            assertThat(site.count()).isEqualTo(9);
            assertThat(site.runs()).containsExactly(new Counts(3, 3000), new Counts(3, 3000), new Counts(3, 3000));
        });
        assertThat(report.fixture().runs()).isEqualTo(3);
        assertThat(ReportText.summary(report, 3, launcher.reportFile(report)))
                .contains("leaked per run: [3, 3, 3] allocations ([3000, 3000, 3000] bytes)")
                .contains("warmup 0, runs 3");
    }

    @Test
    void aRunsLeakIsTakenAtItsCheckpointAndALaterFreeDoesNotUndoIt() {
        // Each run frees the previous run's block and leaves its own: live at every checkpoint.
        RunReport report = run(callable("callables:hold_until_next_run").runs(3));
        assertThat(report.outcome()).as(report.reason()).isEqualTo(Outcome.LEAKED);
        assertThat(report.runs()).extracting(r -> r.leaked().count()).containsExactly(1L, 1L, 1L);
    }

    @Test
    void theAllowanceAppliesPerRun() {
        assertThat(run(script("leak.py", "3", "100").runs(2).maxLeaks(3).maxLeakedBytes(300)).outcome()).isEqualTo(Outcome.CLEAN);
        assertThat(run(script("leak.py", "3", "100").runs(2).maxLeaks(2).maxLeakedBytes(300)).outcome()).isEqualTo(Outcome.LEAKED);
    }

    @Test
    void runsBelowOneIsRejectedBeforeAnythingRuns() {
        assertThatThrownBy(() -> FixtureLauncher.prepare(script("leak.py").runs(0).build()))
                .isInstanceOf(NoNativeLeakException.class).hasMessageContaining("runs must be from 1 to 100, not 0");
        assertThatThrownBy(() -> FixtureLauncher.prepare(script("leak.py").runs(101).build()))
                .isInstanceOf(NoNativeLeakException.class).hasMessageContaining("not 101");
    }

    @Test
    void phasesCoverTheWholeRunnerWithResidentBytesBesideMatchedBytes() throws Exception {
        FixtureLauncher launcher = FixtureLauncher.prepare(script("leak.py", "3", "1000").warmup(2).runs(2).build());
        RunReport report = launcher.run();
        Path reportFile = launcher.reportFile(report);

        assertThat(report.phases()).extracting(Phase::name).containsExactly(
                "import", "warmup 1", "warmup 2", "run 1", "checkpoint 1", "run 2", "checkpoint 2");
        for (int i = 0; i < report.phases().size(); i++) {
            Phase p = report.phases().get(i);
            assertThat(p.endMillis()).isGreaterThanOrEqualTo(p.startMillis());
            if (i > 0) assertThat(p.startMillis()).isEqualTo(report.phases().get(i - 1).endMillis());
        }
        List<TimelinePoint> timeline = report.timeline();
        assertThat(timeline).isNotEmpty().allSatisfy(p -> assertThat(p.rssBytes()).isGreaterThan(1 << 20));
        // Samples before the measured runs (matched bytes are 0 there) and at the end (6 blocks of 1000 live).
        assertThat(timeline.get(0).liveBytes()).isZero();
        assertThat(timeline.get(timeline.size() - 1).liveBytes()).isEqualTo(6000);
        assertThat(timeline.get(timeline.size() - 1).tMillis()).isGreaterThanOrEqualTo(report.phases().get(3).startMillis());

        JsonNode json = new ObjectMapper().readTree(reportFile.toFile());
        assertThat(json.path("phases").get(0).path("name").asText()).isEqualTo("import");
        assertThat(json.path("timeline").get(0).has("rssBytes")).isTrue();
        assertThat(json.path("runs").size()).isEqualTo(2);
        assertThat(json.path("sites").get(0).path("runs").size()).isEqualTo(2);
        RunReport readBack = ReportJson.read(reportFile); // what the report goal reads back
        assertThat(readBack.runs()).isEqualTo(report.runs());
        assertThat(readBack.phases()).isEqualTo(report.phases());
        assertThat(readBack.timeline()).isEqualTo(report.timeline());
        assertThat(readBack.sites()).isEqualTo(report.sites());
    }

    @Test
    void oneRunWritesNoRunsField() throws Exception {
        FixtureLauncher launcher = FixtureLauncher.prepare(script("leak.py", "2", "100").build());
        RunReport report = launcher.run();
        JsonNode json = new ObjectMapper().readTree(launcher.reportFile(report).toFile());
        assertThat(json.has("runs")).isFalse();
        assertThat(json.path("sites").get(0).has("runs")).isFalse();
        assertThat(report.leaked()).isEqualTo(new Counts(2, 200));
    }
}
