package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportMojoTest {
    @TempDir
    Path project;

    private final RecordingLog log = new RecordingLog();

    private ReportMojo report() {
        ReportMojo mojo = new ReportMojo();
        mojo.setLog(log);
        mojo.baseDirectory = project.toFile();
        mojo.reportDirectory = project.resolve("target/nonativeleak").toFile();
        return mojo;
    }

    @Test
    void withoutReportsThereIsNoPage() throws Exception {
        report().execute();
        assertThat(log.text()).contains("No NoNativeLeak reports: " + project.resolve("target/nonativeleak") + " does not exist");
        Files.createDirectories(project.resolve("target/nonativeleak"));
        report().execute();
        assertThat(log.text()).contains("No NoNativeLeak reports in ");
        assertThat(project.resolve("target/nonativeleak/index.html")).doesNotExist();
    }

    @Test
    void otherJsonFilesAreSkippedAndEverythingShownIsEscaped() throws Exception {
        CheckMojo check = Mojos.check(project, log);
        check.failOnLeak = false;
        Fixture fixture = Mojos.script(TestFixtures.script("leak.py").toString(), "2", "1000", "<b>&\"not-html\"");
        fixture.setName("escaped");
        check.fixtures = new ArrayList<>(List.of(fixture));
        check.execute();
        Files.writeString(project.resolve("target/nonativeleak/package.json"), "{\"name\": \"something else\"}");
        Files.writeString(project.resolve("target/nonativeleak/broken.json"), "{\"schemaVersion\": 1, ");

        report().execute();

        assertThat(log.text()).contains("Skipping " + project.resolve("target/nonativeleak/package.json") + ": not a NoNativeLeak report")
                .contains("Skipping " + project.resolve("target/nonativeleak/broken.json"))
                .contains("NoNativeLeak report of 1 run: " + project.resolve("target/nonativeleak/index.html"));
        String html = Files.readString(project.resolve("target/nonativeleak/index.html"));
        assertThat(html).contains("&lt;b&gt;&amp;&quot;not-html&quot;").doesNotContain("<b>&\"not-html\"");
        assertThat(html).contains("CallStack[1]: may-leak=2 (2000 bytes)").contains("leak_block");
    }
}
