package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.nonativeleak.shim.testing.TestFixtures;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report page's flame graph in headless Chromium: two leak sites of 30 and 10 blocks give boxes for their
 * Python functions three to one in width, over the C frames down to leak_block, with the source line in the hover
 * text; the screenshot (kept under target/flame-graph/) shows the boxes drawn.
 */
class FlameGraphBrowserTest {
    private static final Pattern BOX = Pattern.compile(
            "<g class=\"flame-frame\" data-label=\"([^\"]*)\" data-bytes=\"(\\d+)\" data-kind=\"(\\w+)\"><title>([^<]*)</title><rect x=\"([\\d.]+)\" y=\"(\\d+)\" width=\"([\\d.]+)\"");

    @TempDir
    Path project;

    @Test
    void theFlameGraphShowsEachLeakSiteAsWideAsItsBytesWithTheSourceLineOnHover() throws Exception {
        Path chromium = HtmlReportBrowserTest.chromium();
        Path script = Files.createDirectories(project.resolve("src/test/python")).resolve("two_sites.py");
        Files.writeString(script, String.join("\n",
                "import leaky", "", "",
                "def big_cache():",
                "    leaky.leak(30, 1000)  # BIG-LEAK", "", "",
                "def small_cache():",
                "    leaky.leak(10, 1000)  # SMALL-LEAK", "", "",
                "big_cache()", "small_cache()", ""));
        RecordingLog log = new RecordingLog();
        CheckMojo check = Mojos.check(project, log);
        check.failOnLeak = false;
        Fixture fixture = Mojos.script(script.toString());
        fixture.setEnvironment(Map.of("PYTHONPATH", TestFixtures.directory().toString()));
        check.fixtures = new ArrayList<>(List.of(fixture));
        check.execute();
        Path index = Mojos.report(project, log);

        String dom = HtmlReportBrowserTest.run(chromium, Files.createDirectories(project.resolve("profile-1")), "--dump-dom", index.toUri().toString());
        assertThat(dom).contains("<svg class=\"flame\"");
        Map<String, double[]> boxes = new HashMap<>();
        Map<String, String> hover = new HashMap<>();
        Matcher m = BOX.matcher(dom);
        while (m.find()) {
            boxes.putIfAbsent(m.group(1), new double[] {Double.parseDouble(m.group(2)), Double.parseDouble(m.group(5)), Double.parseDouble(m.group(6)),
                Double.parseDouble(m.group(7))});
            hover.putIfAbsent(m.group(1), m.group(4));
        }
        assertThat(boxes).containsKeys("all leaked bytes", "&lt;module&gt;", "big_cache", "small_cache", "leak", "leak_block", "_ctypes_callproc");
        assertThat(boxes.get("all leaked bytes")[0]).isEqualTo(40_000);
        assertThat(boxes.get("big_cache")[0]).isEqualTo(30_000);
        assertThat(boxes.get("small_cache")[0]).isEqualTo(10_000);
        double big = boxes.get("big_cache")[3], small = boxes.get("small_cache")[3];
        assertThat(big / small).as("widths in proportion to the bytes").isCloseTo(3.0, within(0.05));
        assertThat(boxes.get("all leaked bytes")[3]).isCloseTo(FlameGraph.WIDTH - 1, within(0.5));
        assertThat(boxes.get("big_cache")[2]).as("Python callers above their callees").isGreaterThan(boxes.get("&lt;module&gt;")[2]);
        assertThat(boxes.get("leak_block")[2]).as("the allocating frame lowest").isGreaterThan(boxes.get("_ctypes_callproc")[2]);
        assertThat(hover.get("big_cache")).contains("src/test/python/two_sites.py:5").contains("leaky.leak(30, 1000)  # BIG-LEAK")
                .contains("29.3 KiB in 30 allocations (75.0% of the leaked bytes)");
        assertThat(boxes).as("the interpreter's own C frames and the process start are left out")
                .doesNotContainKeys("_PyEval_EvalFrameDefault", "PyEval_EvalCode", "__libc_start_main", "main");

        Path shot = project.resolve("flame.png");
        HtmlReportBrowserTest.run(chromium, Files.createDirectories(project.resolve("profile-2")), "--window-size=1300,1600",
                "--screenshot=" + shot, index.toUri().toString());
        BufferedImage image = ImageIO.read(shot.toFile());
        assertThat(image).isNotNull();
        assertThat(HtmlReportBrowserTest.pixelsOf(image, 0x64, 0xb5, 0xf6)).as("pixels of Python boxes").isGreaterThan(5_000);
        assertThat(HtmlReportBrowserTest.pixelsOf(image, 0xff, 0xb7, 0x4d)).as("pixels of C boxes").isGreaterThan(5_000);
        Path keep = Files.createDirectories(Path.of("target", "flame-graph"));
        Files.copy(index, keep.resolve("index.html"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(shot, keep.resolve("screenshot.png"), StandardCopyOption.REPLACE_EXISTING);
        System.out.println("Flame graph screenshot: " + keep.resolve("screenshot.png").toAbsolutePath());
    }
}
