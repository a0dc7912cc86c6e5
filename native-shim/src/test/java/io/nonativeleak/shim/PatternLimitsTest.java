package io.nonativeleak.shim;

import static io.nonativeleak.shim.testing.TestFixtures.PATTERN;
import static io.nonativeleak.shim.testing.TestFixtures.script;
import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many and long patterns: no pattern is dropped and the shim stays active. On main, 257 patterns
 * disabled the shim ("LD_PRELOAD did not load it") and only the first 64 KiB of the patterns file was
 * read, so an ignore pattern after it was silently dropped.
 */
class PatternLimitsTest {
    @TempDir
    Path reports;

    private RunReport run(List<String> patterns, List<String> ignore) {
        return FixtureLauncher.prepare(FixtureSpec.script(script("leak.py").toString()).patterns(patterns).ignore(ignore)
                .python(TestFixtures.python()).baseDirectory(TestFixtures.directory()).reportDirectory(reports).build()).run();
    }

    /** count patterns that match nothing, of some length each, and the real one first or last. */
    private static List<String> patterns(int count, int length, boolean realFirst) {
        List<String> patterns = new ArrayList<>();
        for (int i = 0; i < count; i++) patterns.add("no_such_function_" + i + "x".repeat(length) + " ... main");
        patterns.add(realFirst ? 0 : patterns.size(), PATTERN);
        return patterns;
    }

    @Test
    void the300thPatternStillMatches() {
        RunReport report = run(patterns(300, 1, false), List.of());
        assertThat(report.outcome()).isEqualTo(Outcome.LEAKED);
        assertThat(report.leaked().count()).isEqualTo(3);
        assertThat(report.sites()).singleElement().satisfies(s -> assertThat(s.pattern()).isEqualTo(PATTERN));
    }

    @Test
    void aPatternBeyondTheFirst64KiBMatches() {
        RunReport report = run(patterns(399, 280, false), List.of());
        assertThat(report.outcome()).isEqualTo(Outcome.LEAKED);
        assertThat(report.leaked().count()).isEqualTo(3);
    }

    @Test
    void anIgnorePatternBeyondTheFirst64KiBApplies() {
        RunReport report = run(patterns(250, 280, true), List.of(PATTERN));
        assertThat(report.matched().count()).isZero();
        assertThat(report.outcome()).isEqualTo(Outcome.NO_MATCH);
    }
}
