package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.testing.TestFixtures;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report page's chart in headless Chromium for a fixture with a warm-up and three measured runs: every phase
 * is drawn and named in order, resident memory is plotted beside matched bytes, and each run's leaks are listed.
 */
class HtmlChartPhasesBrowserTest {
    @TempDir
    Path project;

    private final RecordingLog log = new RecordingLog();

    @Test
    void theChartMarksEveryPhaseAndPlotsResidentMemoryBesideMatchedBytes() throws Exception {
        Path chromium = HtmlReportBrowserTest.chromium();
        CheckMojo check = Mojos.check(project, log);
        check.failOnLeak = false;
        check.warmup = 1;
        check.runs = 3;
        // Pauses between the leaks give every run several samples of its own (one per sampling interval at most).
        Path slowLeak = TestFixtures.directory().resolve("slow_leak.py");
        try (InputStream in = getClass().getResourceAsStream("/fixtures/slow_leak.py")) {
            Files.copy(in, slowLeak, StandardCopyOption.REPLACE_EXISTING);
        }
        check.fixtures = new ArrayList<>(List.of(Mojos.script(slowLeak.toString(), "5")));
        check.execute();
        Path index = Mojos.report(project, log);

        String dom = HtmlReportBrowserTest.run(chromium, Files.createDirectories(project.resolve("profile")), "--dump-dom", index.toUri().toString());
        Matcher phase = Pattern.compile("<g class=\"phase\" data-name=\"([^\"]+)\"><rect x=\"([\\d.]+)\"").matcher(dom);
        List<String> names = new ArrayList<>();
        double previousX = -1;
        while (phase.find()) {
            names.add(phase.group(1));
            double x = Double.parseDouble(phase.group(2));
            assertThat(x).as("phases left to right").isGreaterThan(previousX);
            previousX = x;
        }
        assertThat(names).containsExactly("import", "warmup 1", "run 1", "checkpoint 1", "run 2", "checkpoint 2", "run 3", "checkpoint 3");
        Matcher rss = Pattern.compile("<polyline class=\"rss-bytes\" points=\"([^\"]+)\"").matcher(dom);
        assertThat(rss.find()).as("the resident-memory line").isTrue();
        assertThat(rss.group(1).trim().split("\\s+").length).isGreaterThanOrEqualTo(5);
        assertThat(dom).contains("<polyline class=\"live-bytes\"")
                .contains("leaked per run</td><td><span class=\"leaked-per-run\">[200, 200, 200] allocations ([200000, 200000, 200000] bytes)")
                .contains("per run: [200, 200, 200]");

        Path shot = project.resolve("phases.png");
        HtmlReportBrowserTest.run(chromium, Files.createDirectories(project.resolve("profile-2")), "--window-size=1300,900",
                "--screenshot=" + shot, index.toUri().toString());
        Path keep = Files.createDirectories(Path.of("target", "html-report"));
        Files.copy(shot, keep.resolve("phases.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        BufferedImage image = ImageIO.read(shot.toFile());
        assertThat(HtmlReportBrowserTest.pixelsOf(image, 0x54, 0x6e, 0x7a)).as("pixels of the RSS line").isGreaterThan(100);
        assertThat(HtmlReportBrowserTest.pixelsOf(image, 0xe3, 0xf2, 0xfd)).as("pixels of the measured runs' bands").isGreaterThan(1000);
    }
}
