package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress of long checks and discover runs, as the build log shows it. */
class ProgressTest {
    private static final Pattern PROGRESS = Pattern.compile(
            "discover: still running after \\d+\\.\\d\\d s: (\\d+) allocations? \\((\\d+) bytes\\) matched so far, ([\\d.]+ [KMG]?i?B) live in the measured run");

    @TempDir
    Path directory;

    @Test
    void eachFixtureStartLineSaysWhichOfHowMany() throws Exception {
        RecordingLog log = new RecordingLog();
        CheckMojo mojo = Mojos.check(directory, log);
        mojo.fixtures = new ArrayList<>(List.of(Mojos.script(TestFixtures.script("clean.py").toString()),
                Mojos.script(TestFixtures.script("clean.py").toString()), Mojos.script(TestFixtures.script("clean.py").toString())));
        mojo.execute();
        assertThat(log.lines.stream().filter(l -> l.contains("Running fixture")).toList())
                .hasSize(3)
                .satisfiesExactly(l -> assertThat(l).startsWith("[INFO] [1/3] Running fixture clean"),
                        l -> assertThat(l).startsWith("[INFO] [2/3] Running fixture clean"),
                        l -> assertThat(l).startsWith("[INFO] [3/3] Running fixture clean"));

        RecordingLog single = new RecordingLog();
        CheckMojo one = Mojos.check(directory, single);
        one.fixtures = new ArrayList<>(List.of(Mojos.script(TestFixtures.script("clean.py").toString())));
        one.execute();
        assertThat(single.text()).contains("[INFO] Running fixture clean");
    }

    /**
     * The fixture leaks, then waits until the test has seen a progress line that counts those leaks; so the run
     * lasts exactly as long as it takes the progress to show them, however slow the machine.
     */
    @Test
    void aLongDiscoverRunLogsWhatItMatchedAndHowMuchIsLiveSoFar() throws Exception {
        Path release = directory.resolve("release");
        Path script = Files.writeString(directory.resolve("long_run.py"), String.join("\n",
                "import os, sys, time",
                "import leaky",
                "leaky.leak(25, 1000)",
                "while not os.path.exists(sys.argv[1]):",
                "    leaky.churn(1, 10)  # keeps the timeline sampled",
                "    time.sleep(0.02)", ""));
        List<String> seen = new ArrayList<>();
        RecordingLog log = new RecordingLog() {
            @Override
            public void info(CharSequence content) {
                super.info(content);
                Matcher m = PROGRESS.matcher(content);
                if (m.matches()) {
                    seen.add(content.toString());
                    if (Long.parseLong(m.group(1)) >= 25 && !m.group(3).equals("0 B")) {
                        try {
                            Files.writeString(release, "go");
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }
            }
        };
        DiscoverMojo discover = Mojos.discover(directory, log);
        discover.script = script.toString();
        discover.args = release.toString();
        discover.discoverPatterns = TestFixtures.PATTERN;
        discover.environment.put("PYTHONPATH", TestFixtures.directory().toString());
        discover.timeoutSeconds = 120;
        discover.progressIntervalMillis = 100;

        discover.execute();

        assertThat(release).as("a progress line counted the 25 leaks; the lines seen: " + seen).exists();
        assertThat(log.text()).contains("finished LEAKED").doesNotContain("TIMED_OUT");
        Matcher last = PROGRESS.matcher(seen.get(seen.size() - 1));
        assertThat(last.matches()).isTrue();
        assertThat(Long.parseLong(last.group(2))).isGreaterThanOrEqualTo(25_000);
    }
}
