package io.nonativeleak.junit;

import static io.nonativeleak.junit.TestKit.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.testing.TestFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A fixture that hangs (with children and a grandchild that try to outlive it) fails the test and leaves nothing behind. */
class TimeoutTest {
    static final String MARKER = "NONATIVELEAK_TIMEOUT_TEST=" + UUID.randomUUID();

    @NoNativeLeak(patterns = TestFixtures.PATTERN, timeoutSeconds = 2)
    static class HangingTestCases {
        @Test
        void hangs(PythonFixture python) {
            String[] variable = MARKER.split("=", 2);
            python.withEnvironment(variable[0], variable[1]).run(fixture("hang.py"));
        }
    }

    @Test
    void hangingFixtureTimesOutFailsTheTestAndLeavesNoProcessBehind() throws Exception {
        long started = System.nanoTime();
        TestKit.Results results = TestKit.execute(HangingTestCases.class);
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;

        assertThat(results.failure("hangs").getMessage())
                .contains("hang.py is TIMED_OUT, not CLEAN")
                .contains("the run exceeded its timeout of 2 s; the whole process tree was killed")
                .contains("CallStack[1]: may-leak=2 (2000 bytes)");
        assertThat(seconds).as("seconds for a run with a 2 s timeout").isLessThan(30);
        assertThat(processesWithMarker()).as("processes still carrying %s", MARKER).isEmpty();
    }

    /** Processes whose environment holds the marker, polled briefly: SIGKILLed processes need a moment to vanish. */
    static List<String> processesWithMarker() throws InterruptedException {
        List<String> found = new ArrayList<>();
        for (int attempt = 0; attempt < 20; attempt++) {
            found.clear();
            try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
                for (Path entry : entries.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                    try {
                        String environment = new String(Files.readAllBytes(entry.resolve("environ")), StandardCharsets.ISO_8859_1);
                        if (List.of(environment.split("\0")).contains(MARKER)) {
                            found.add(entry.getFileName() + " " + new String(Files.readAllBytes(entry.resolve("cmdline")),
                                    StandardCharsets.ISO_8859_1).replace('\0', ' '));
                        }
                    } catch (IOException gone) {
                        // it ended while we looked
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            if (found.isEmpty()) return found;
            Thread.sleep(100);
        }
        return found;
    }
}
