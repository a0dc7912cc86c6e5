package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import io.nonativeleak.shim.testing.TestFixtures;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report page, loaded in a real browser (Debian's Chromium, headless): the DOM it builds has the summary
 * table, the sites with both stacks and a chart line with its points, and the screenshot shows that line
 * drawn. Skipped, with the reason, where Chromium is not installed (unless -Dnonativeleak.test.chromium=required).
 */
class HtmlReportBrowserTest {
    @TempDir
    Path project;

    private final RecordingLog log = new RecordingLog();

    @Test
    void thePageRendersTheSummaryTheChartAndBothStacksInChromium() throws Exception {
        Path chromium = chromium();
        Path slowLeak = TestFixtures.directory().resolve("slow_leak.py");
        try (InputStream in = getClass().getResourceAsStream("/fixtures/slow_leak.py")) {
            Files.copy(in, slowLeak, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        CheckMojo check = Mojos.check(project, log);
        check.failOnLeak = false;
        check.fixtures = new ArrayList<>(List.of(Mojos.script(slowLeak.toString(), "15"), Mojos.script(TestFixtures.script("clean.py").toString())));
        check.execute();
        Path index = Mojos.report(project, log);
        assertThat(log.text()).contains("NoNativeLeak report of 2 runs: " + index);

        String html = Files.readString(index);
        assertThat(html).doesNotContainPattern("(src|href)=\"(https?:)?//").doesNotContain("<script").doesNotContain("<link");

        Path profile = Files.createDirectories(project.resolve("chromium-profile"));
        String dom = run(chromium, profile, "--dump-dom", index.toUri().toString());
        assertThat(dom).contains("<table id=\"summary\">");
        assertThat(count(dom, "<tr><td><a href=\"#run-")).isEqualTo(2);
        assertThat(dom).containsPattern("slow_leak.*LEAKED").containsPattern("clean.*CLEAN");
        Matcher line = Pattern.compile("<polyline class=\"live-bytes\" points=\"([^\"]+)\"").matcher(dom);
        line.region(dom.indexOf("<h2>slow_leak "), dom.length());
        assertThat(line.find()).as("the leaking run's chart line").isTrue();
        String[] points = line.group(1).trim().split("\\s+");
        assertThat(points.length).isGreaterThanOrEqualTo(5);
        double firstY = Double.parseDouble(points[0].split(",")[1]);
        double lastY = Double.parseDouble(points[points.length - 1].split(",")[1]);
        assertThat(lastY).as("the line climbs (SVG y grows downwards)").isLessThan(firstY - 100);
        assertThat(dom).contains("CallStack[1]: may-leak=600 (600000 bytes)")
                .contains("leak_block")
                .contains("leaky.leak(40, 1000)  # SLOW-LEAK-LINE");

        Path shot = project.resolve("report.png");
        run(chromium, Files.createDirectories(project.resolve("chromium-profile-2")), "--window-size=1300,1400",
                "--screenshot=" + shot, index.toUri().toString());
        keepForPeople(index, shot);
        BufferedImage image = ImageIO.read(shot.toFile());
        assertThat(image).as("screenshot").isNotNull();
        assertThat(pixelsOf(image, 0xd8, 0x1b, 0x60)).as("pixels of the leaking run's chart line in the screenshot").isGreaterThan(300);
    }

    /** The page and its screenshot stay in target/html-report/ for a person to look at. */
    private static void keepForPeople(Path index, Path shot) throws Exception {
        Path keep = Files.createDirectories(Path.of("target", "html-report"));
        Files.copy(index, keep.resolve("index.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(shot, keep.resolve("screenshot.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static Path chromium() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(candidate))) return Path.of(candidate);
        }
        String reason = "Chromium is not installed (/usr/bin/chromium): the report page was not checked in a browser; "
                + "install it with apt-get install chromium";
        if ("required".equals(System.getProperty("nonativeleak.test.chromium"))) fail(reason);
        abort(reason);
        return null;
    }

    static String run(Path chromium, Path profile, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        Path out = profile.resolve("stdout.txt");
        Path err = profile.resolve("stderr.txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            fail("chromium did not finish within 120 s: " + Files.readString(err));
        }
        assertThat(process.exitValue()).as("chromium's exit code; stderr: " + Files.readString(err)).isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }

    static int pixelsOf(BufferedImage image, int r, int g, int b) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                if (Math.abs(((rgb >> 16) & 0xff) - r) < 12 && Math.abs(((rgb >> 8) & 0xff) - g) < 12 && Math.abs((rgb & 0xff) - b) < 12) n++;
            }
        }
        return n;
    }
}
