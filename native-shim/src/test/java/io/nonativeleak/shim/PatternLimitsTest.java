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
                .python(TestFixtures.python()).baseDirectory(TestFixtures.directory()).reportDirectory(reports).build()).run().report();
    }

    /** 400 patterns of some 300 characters each (120 KB of patterns file), the real one last. */
    private static List<String> manyPatterns() {
        List<String> patterns = new ArrayList<>();
        for (int i = 0; i < 399; i++) patterns.add("no_such_function_" + i + "_" + "x".repeat(280) + " ... main");
        patterns.add(PATTERN);
        return patterns;
    }

    @Test
    void theFourHundredthPatternStillMatches() {
        RunReport report = run(manyPatterns(), List.of());
        assertThat(report.outcome()).isEqualTo(Outcome.LEAKED);
        assertThat(report.leaked().count()).isEqualTo(3);
        assertThat(report.sites()).singleElement().satisfies(s -> assertThat(s.pattern()).isEqualTo(PATTERN));
    }

    @Test
    void anIgnorePatternBeyondTheFirst64KiBApplies() {
        RunReport report = run(manyPatterns(), List.of(PATTERN));
        assertThat(report.matched().count()).isZero();
        assertThat(report.outcome()).isEqualTo(Outcome.NO_MATCH);
    }
}
