package io.nonativeleak.maven;

import io.nonativeleak.shim.report.ReportJson;
import io.nonativeleak.shim.report.RunReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.logging.Log;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Renders every report in the report directory (those of {@code check}, {@code discover} and the JUnit
 * extension) into {@code index.html} beside them: a summary table and, per run, a chart of live matched
 * bytes over the run's time and the leak sites with both stacks. The page is self-contained: no network,
 * no CDN, no script.
 */
@Mojo(name = "report", defaultPhase = LifecyclePhase.VERIFY, requiresProject = false, threadSafe = true)
public class ReportMojo extends AbstractNoNativeLeakMojo {
    static final String INDEX = "index.html";

    @Override
    void executeGoal() throws MojoExecutionException {
        Path directory = reportDirectory.toPath();
        if (!Files.isDirectory(directory)) {
            getLog().info("No NoNativeLeak reports: " + directory + " does not exist");
            return;
        }
        List<HtmlReport.Entry> entries = load(directory, getLog());
        if (entries.isEmpty()) {
            getLog().info("No NoNativeLeak reports in " + directory);
            return;
        }
        Path index = directory.resolve(INDEX);
        try {
            write(index, HtmlReport.render(entries, directory));
        } catch (IOException e) {
            throw new MojoExecutionException("reportDirectory (nonativeleak.reportDirectory): cannot write " + index + ": " + e.getMessage(), e);
        }
        getLog().info("NoNativeLeak report of " + entries.size() + (entries.size() == 1 ? " run: " : " runs: ") + index);
    }

    /** Every readable report in the directory, by file name; anything else is skipped with a warning. */
    static List<HtmlReport.Entry> load(Path directory, Log log) throws MojoExecutionException {
        List<Path> files;
        try (Stream<Path> list = Files.list(directory)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new MojoExecutionException("reportDirectory (nonativeleak.reportDirectory): cannot list " + directory + ": " + e.getMessage(), e);
        }
        List<HtmlReport.Entry> entries = new ArrayList<>();
        for (Path file : files) {
            try {
                RunReport report = ReportJson.read(file);
                if (report.schemaVersion() != RunReport.SCHEMA_VERSION || report.fixture() == null || report.outcome() == null) {
                    log.warn("Skipping " + file + ": not a NoNativeLeak report (schemaVersion " + report.schemaVersion() + ")");
                    continue;
                }
                entries.add(new HtmlReport.Entry(file, report));
            } catch (UncheckedIOException | IllegalArgumentException e) {
                log.warn("Skipping " + file + ": " + e.getMessage());
            }
        }
        return entries;
    }

    static void write(Path index, String html) throws IOException {
        Path temporary = index.resolveSibling(INDEX + ".tmp");
        Files.writeString(temporary, html, StandardCharsets.UTF_8);
        Files.move(temporary, index, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
