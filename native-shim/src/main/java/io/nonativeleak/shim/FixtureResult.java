package io.nonativeleak.shim;

import io.nonativeleak.shim.report.RunReport;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A finished run: its report, where the report was written, and the fixture's output. */
public final class FixtureResult {
    /** Output beyond this is left in the file (its path is in the report). */
    static final int OUTPUT_LIMIT = 8 << 20;

    private final RunReport report;
    private final Path reportFile;

    FixtureResult(RunReport report, Path reportFile) {
        this.report = report;
        this.reportFile = reportFile;
    }

    public RunReport report() {
        return report;
    }

    public Path reportFile() {
        return reportFile;
    }

    /** The fixture's standard output (its last 8 MiB when longer). */
    public String stdout() {
        return tail(Path.of(report.stdout()));
    }

    /** The fixture's standard error (its last 8 MiB when longer). */
    public String stderr() {
        return tail(Path.of(report.stderr()));
    }

    private static String tail(Path file) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
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
}
