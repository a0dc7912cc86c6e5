package io.nonativeleak.junit;

import io.nonativeleak.shim.report.Counts;
import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.ReportText;
import io.nonativeleak.shim.report.RunReport;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * One finished fixture run: its verdict, what the fixture printed, the leak sites with both stacks, and the
 * JSON report on disk. Returned by every method of {@link PythonFixture}, gated or not.
 *
 * <pre>{@code
 * FixtureRun run = python.probe("src/test/python/backtest_buggy.py");
 * assertThat(run.outcome()).isEqualTo(Outcome.LEAKED);
 * assertThat(run.leakedBytes()).isGreaterThan(1_000_000);
 * assertThat(run.stdout()).contains("backtest done");
 * LeakSite top = run.sites().get(0);           // largest first
 * PyFrame line = top.innermostPythonFrame();   // e.g. backtest_buggy.py:14, "sub = chunk[to_keep]"
 * }</pre>
 *
 * For assertions with messages that show the relevant part of the report, use
 * {@link NativeLeakAssertions#assertThat(FixtureRun)}.
 */
public final class FixtureRun {
    /** Leak sites shown by {@link #summary()} and in gate failures. */
    static final int TOP_SITES = 3;
    /** Output beyond this is left in the file (its path is in the report). */
    static final int OUTPUT_LIMIT = 8 << 20;

    private final RunReport report;
    private final Path reportFile;
    private final boolean gated;
    private String stdout;
    private String stderr;

    FixtureRun(RunReport report, Path reportFile, boolean gated) {
        this.report = report;
        this.reportFile = reportFile;
        this.gated = gated;
    }

    /** @return the run's name, which is also the report's file name (without {@code .json}) */
    public String name() {
        return report().name();
    }

    /** @return the verdict: only {@link Outcome#CLEAN} passes a gate */
    public Outcome outcome() {
        return report().outcome();
    }

    /** @return the verdict explained in one sentence */
    public String reason() {
        return report().reason();
    }

    /** @return whether this run was made with {@code run}/{@code call} (gated) rather than {@code probe}/{@code probeCall} */
    public boolean isGated() {
        return gated;
    }

    /** @return the process's exit code; empty when it died of a signal or was killed at its timeout */
    public OptionalInt exitCode() {
        Integer code = report().exitCode();
        return code == null ? OptionalInt.empty() : OptionalInt.of(code);
    }

    /** @return the signal that ended the process, when it died of one (a crash, or the kill at the timeout) */
    public OptionalInt signal() {
        Integer signal = report().signal();
        return signal == null ? OptionalInt.empty() : OptionalInt.of(signal);
    }

    /** @return the fixture's standard output (its last 8 MiB when longer; the whole is in the file the report names) */
    public synchronized String stdout() {
        if (stdout == null) stdout = tail(report.stdout());
        return stdout;
    }

    /** @return the fixture's standard error, including the traceback when it raised */
    public synchronized String stderr() {
        if (stderr == null) stderr = tail(report.stderr());
        return stderr;
    }

    /**
     * @return the allocations still live at the checkpoint, grouped by identical C and Python stacks, largest
     *         first; each has its C stack (frame 0 = the caller of {@code malloc}) and the Python stack of the
     *         allocating thread (innermost frame last, with the source line)
     */
    public List<LeakSite> sites() {
        return report().sites();
    }

    /** @return the tracked allocations still live at the checkpoint: how many and how many bytes */
    public Counts leaked() {
        return report().leaked();
    }

    /** @return all allocations of the measured run that matched a pattern */
    public Counts matched() {
        return report().matched();
    }

    /** @return the number of tracked allocations still live at the checkpoint */
    public long leakCount() {
        return leaked().count();
    }

    /** @return the bytes those allocations hold */
    public long leakedBytes() {
        return leaked().bytes();
    }

    /** @return the wall time of the whole run */
    public Duration duration() {
        return Duration.ofMillis(report().durationMillis());
    }

    /** @return the JSON report of this run (SPEC §8), in the report directory */
    public Path reportFile() {
        return reportFile;
    }

    /** @return the whole report, as written to {@link #reportFile()} */
    public RunReport report() {
        return report;
    }

    /**
     * @return the outcome and why, the fixture, the patterns, the counts, the top three sites with both stacks,
     *         and the report's path: what a gate failure shows
     */
    public String summary() {
        return ReportText.summary(report(), TOP_SITES, reportFile());
    }

    private static String tail(String file) {
        try (RandomAccessFile in = new RandomAccessFile(file, "r")) {
            long length = in.length();
            long start = Math.max(0, length - OUTPUT_LIMIT);
            byte[] bytes = new byte[(int) (length - start)];
            in.seek(start);
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** @return the name, outcome and leak counts in one line */
    @Override
    public String toString() {
        return "FixtureRun[" + name() + ": " + outcome() + ", leaked " + ReportText.counts(leaked()) + "]";
    }
}
