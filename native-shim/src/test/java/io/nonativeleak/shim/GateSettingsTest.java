package io.nonativeleak.shim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How settings layer: what a front end relies on when it lays a fixture's or a run's settings over the goal's or the annotation's. */
class GateSettingsTest {
    @Test
    void unsetSettingsReadAsTheDocumentedDefaults() {
        GateSettings s = GateSettings.defaults();
        assertThat(s.patterns()).isEmpty();
        assertThat(s.ignore()).isEmpty();
        assertThat(s.python()).isNull();
        assertThat(s.warmup()).isZero();
        assertThat(s.runs()).isEqualTo(1);
        assertThat(s.maxLeaks()).isZero();
        assertThat(s.maxLeakedBytes()).isZero();
        assertThat(s.requireMatch()).isTrue();
        assertThat(s.timeoutSeconds()).isEqualTo(600);
        assertThat(s.sampleBytes()).isZero();
        assertThat(s.environment()).isEmpty();
        assertThat(s.workingDirectory()).isNull();
        assertThat(s.reportDirectory()).isEqualTo(Path.of("target", "nonativeleak"));
    }

    @Test
    void whatTheOverrideSetsWinsAndTheRestIsKept() {
        GateSettings goal = GateSettings.defaults().withPatterns(List.of("leak_block")).withWarmup(2).withTimeoutSeconds(30)
                .withPython("/usr/bin/python3");
        GateSettings fixture = GateSettings.defaults().withWarmup(0).withRequireMatch(false).withPatterns(List.of());
        GateSettings merged = goal.overriddenBy(fixture);
        assertThat(merged.warmup()).as("set to its default value, still set").isZero();
        assertThat(merged.patterns()).as("an empty list given is a setting too").isEmpty();
        assertThat(merged.requireMatch()).isFalse();
        assertThat(merged.timeoutSeconds()).isEqualTo(30);
        assertThat(merged.python()).isEqualTo("/usr/bin/python3");
        assertThat(goal.warmup()).as("the layers are not changed").isEqualTo(2);
        assertThat(fixture.timeoutSeconds()).isEqualTo(600);
    }

    @Test
    void environmentsMergeAndANullRemovesAVariable() {
        Map<String, String> removeHome = new HashMap<>();
        removeHome.put("HOME", null);
        GateSettings goal = GateSettings.defaults().withEnvironment("OMP_NUM_THREADS", "1").withEnvironment("LANG", "C");
        GateSettings fixture = GateSettings.defaults().withEnvironment("LANG", "C.UTF-8").withEnvironment(removeHome);
        Map<String, String> merged = goal.overriddenBy(fixture).environment();
        assertThat(merged).containsEntry("OMP_NUM_THREADS", "1").containsEntry("LANG", "C.UTF-8").containsEntry("HOME", null).hasSize(3);
        assertThat(goal.environment()).hasSize(2);
    }

    @Test
    void problemsNameTheFieldAtFaultWithTheMessageUsersSee() {
        GateSettings bad = GateSettings.defaults().withWarmup(-1).withRuns(101).withTimeoutSeconds(0).withSampleBytes(-5);
        assertThat(bad.problems()).extracting(GateSettings.Problem::field).containsExactly(
                GateSettings.Field.WARMUP, GateSettings.Field.RUNS, GateSettings.Field.SAMPLE_BYTES, GateSettings.Field.TIMEOUT_SECONDS);
        assertThat(bad.problems()).extracting(GateSettings.Problem::message).containsExactly(
                "warmup must be 0 or more, not -1", "runs must be from 1 to 100, not 101",
                "sampleBytes must be 0 (no sampling) or more, not -5", "timeoutSeconds must be positive, not 0");
        assertThat(GateSettings.defaults().problems()).isEmpty();
    }
}
