package io.nonativeleak.junit;

import static io.nonativeleak.junit.TestKit.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.ReportJson;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.TestExecutionResult;

/** Sixteen gated fixtures on four threads: each test gets its own verdict, message and report. */
class ParallelTest {
    static final AtomicInteger RUNNING = new AtomicInteger();
    static final AtomicInteger MOST_AT_ONCE = new AtomicInteger();

    @NoNativeLeak(patterns = TestFixtures.PATTERN)
    @Execution(ExecutionMode.CONCURRENT)
    static class ParallelTestCases {
        /** Even numbers leak (n / 2 + 1) blocks of (1000 + n) bytes, odd numbers run clean. */
        @ParameterizedTest
        @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
        void gate(int n, PythonFixture python) {
            MOST_AT_ONCE.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
            try {
                if (n % 2 == 0) python.run(fixture("leak.py"), String.valueOf(n / 2 + 1), String.valueOf(1000 + n));
                else python.run(fixture("clean.py"), String.valueOf(n));
            } finally {
                RUNNING.decrementAndGet();
            }
        }
    }

    @Test
    void sixteenGatedFixturesOnFourThreadsHaveSeparateCorrectResultsAndReports() throws Exception {
        Path reports = TestKit.temporaryDirectory("nonativeleak-parallel-");
        TestKit.Results results = TestKit.execute(ParallelTestCases.class,
                "junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.default", "concurrent",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "4",
                "junit.jupiter.execution.parallel.config.fixed.max-pool-size", "4",
                "nonativeleak.reportDirectory", reports.toString());

        results.events().testEvents().assertStatistics(stats -> stats.started(16).succeeded(8).failed(8));
        assertThat(MOST_AT_ONCE.get()).as("fixtures running at once").isBetween(2, 4);

        Pattern header = Pattern.compile("leak\\.py (\\d+) (\\d+) is LEAKED, not CLEAN");
        List<Throwable> failures = results.events().testEvents().failed().stream()
                .map(e -> e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow()).toList();
        assertThat(failures).hasSize(8).allSatisfy(failure -> {
            Matcher m = header.matcher(failure.getMessage());
            assertThat(m.find()).as(failure.getMessage()).isTrue();
            long count = Long.parseLong(m.group(1));
            long size = Long.parseLong(m.group(2));
            assertThat(failure.getMessage()).contains(count + (count == 1 ? " matching allocation (" : " matching allocations (") + count * size + " bytes)");
            RunReport report = ReportJson.read(GateTest.reportIn(failure.getMessage()));
            assertThat(report.fixture().args()).containsExactly(m.group(1), m.group(2));
            assertThat(report.leaked().bytes()).isEqualTo(count * size);
        });

        try (Stream<Path> files = Files.list(reports)) {
            List<RunReport> all = files.filter(f -> f.toString().endsWith(".json")).map(ReportJson::read).toList();
            assertThat(all).hasSize(16);
            assertThat(all.stream().map(RunReport::name).distinct()).hasSize(16);
            assertThat(all).filteredOn(r -> r.fixture().target().endsWith("clean.py"))
                    .hasSize(8).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(Outcome.CLEAN));
            assertThat(all).filteredOn(r -> r.fixture().target().endsWith("leak.py")).hasSize(8).allSatisfy(r -> {
                int n = Integer.parseInt(r.fixture().args().get(1)) - 1000;
                assertThat(r.outcome()).isEqualTo(Outcome.LEAKED);
                assertThat(r.leaked().count()).isEqualTo(n / 2 + 1);
                assertThat(r.sites()).singleElement().satisfies(site -> assertThat(site.bytes()).isEqualTo((n / 2 + 1) * (1000L + n)));
            });
        }
    }
}
