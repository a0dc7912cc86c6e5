package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What GitHub Actions and GitLab CI get from a check, byte for byte. */
class CiReportsTest {
    @TempDir
    Path workspace;

    private final RecordingLog log = new RecordingLog();
    private final List<String> commands = new ArrayList<>();

    private CheckMojo checkIn(Path module, Map<String, String> environment) throws Exception {
        Path script = Files.createDirectories(module.resolve("src/test/python")).resolve("backtest.py");
        Files.writeString(script, "import leaky\n\nfor _ in range(3):\n    leaky.leak(1, 1000)  # LEAK-LINE\n");
        Fixture leaky = Mojos.script("src/test/python/backtest.py");
        leaky.setName("gate, part: 100%");
        leaky.setEnvironment(Map.of("PYTHONPATH", TestFixtures.directory().toString()));
        Fixture clean = Mojos.script(TestFixtures.script("clean.py").toString());
        clean.setName("clean|pipe");
        CheckMojo mojo = Mojos.check(module, log);
        mojo.fixtures = new ArrayList<>(List.of(leaky, clean));
        mojo.ciEnvironment = environment;
        mojo.workflowCommands = commands::add;
        return mojo;
    }

    @Test
    void underGitHubActionsEachLeakSiteIsAnErrorAtItsPythonLineAndTheJobSummaryGetsATable() throws Exception {
        Path module = Files.createDirectories(workspace.resolve("module"));
        Path summary = Files.writeString(workspace.resolve("step-summary.md"), "earlier step\n");
        CheckMojo mojo = checkIn(module, Map.of("GITHUB_ACTIONS", "true", "GITHUB_WORKSPACE", workspace.toString(),
                "GITHUB_STEP_SUMMARY", summary.toString()));

        assertThatThrownBy(mojo::execute).isInstanceOf(MojoFailureException.class);

        String reportName;
        try (var files = Files.list(mojo.reportDirectory.toPath())) {
            reportName = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("gate__part__100_") && n.endsWith(".json")).findFirst().orElseThrow();
        }
        assertThat(commands).containsExactly("::error file=module/src/test/python/backtest.py,line=4,title=NoNativeLeak%3A gate%2C part%3A 100%25 LEAKED"
                + "::3 allocations (3000 bytes) still live at the checkpoint, allocated at src/test/python/backtest.py:4 in <module>: leaky.leak(1, 1000)  # LEAK-LINE"
                + "%0AC frames: leak_block%0APattern: leak_block%0AReport: module/target/nonativeleak/" + reportName);
        assertThat(Files.readString(summary)).isEqualTo("earlier step\n"
                + "### NoNativeLeak: 1 of 2 fixtures not CLEAN\n\n"
                + "| fixture | outcome | leaked | bytes | duration | largest leak site |\n| --- | --- | ---: | ---: | ---: | --- |\n"
                + "| gate, part: 100% | ❌ LEAKED | 3 | 3000 | " + seconds(log, "gate, part: 100%") + " | `module/src/test/python/backtest.py:4` `leaky.leak(1, 1000)  # LEAK-LINE` |\n"
                + "| clean\\|pipe | ✅ CLEAN | 0 | 0 | " + seconds(log, "clean|pipe") + " |  |\n\n");
        assertThat(log.text()).contains("CI: wrote 1 GitHub annotation").contains("CI: wrote the job summary " + summary);
        assertThat(mojo.reportDirectory.toPath().resolve(CiReports.CODE_QUALITY_FILE)).doesNotExist();
    }

    @Test
    void underGitLabCiTheReportDirectoryGetsACodeQualityReport() throws Exception {
        CheckMojo mojo = checkIn(workspace, Map.of("GITLAB_CI", "true", "CI_PROJECT_DIR", workspace.toString()));

        assertThatThrownBy(mojo::execute).isInstanceOf(MojoFailureException.class);

        assertThat(commands).isEmpty();
        Path file = mojo.reportDirectory.toPath().resolve("gl-code-quality-report.json");
        JsonNode issues = new ObjectMapper().readTree(file.toFile());
        assertThat(issues.isArray()).isTrue();
        assertThat(issues).hasSize(1);
        JsonNode issue = issues.get(0);
        assertThat(issue.path("check_name").asText()).isEqualTo("nonativeleak");
        assertThat(issue.path("severity").asText()).isEqualTo("major");
        assertThat(issue.path("description").asText()).startsWith("NoNativeLeak: gate, part: 100% LEAKED: 3 allocations (3000 bytes) still live at the checkpoint, "
                + "allocated at src/test/python/backtest.py:4 in <module>: leaky.leak(1, 1000)  # LEAK-LINE C frames: leak_block");
        assertThat(issue.path("fingerprint").asText()).matches("[0-9a-f]{32}");
        assertThat(issue.path("location").path("path").asText()).isEqualTo("src/test/python/backtest.py");
        assertThat(issue.path("location").path("lines").path("begin").asInt()).isEqualTo(4);
        assertThat(issue.fieldNames()).toIterable().containsExactly("description", "check_name", "fingerprint", "severity", "location");

        // the same leak in the next pipeline has the same fingerprint: GitLab shows it as unchanged, not as new
        String fingerprint = issue.path("fingerprint").asText();
        CheckMojo again = checkIn(workspace, Map.of("GITLAB_CI", "true"));
        again.failOnLeak = false;
        again.execute();
        assertThat(new ObjectMapper().readTree(file.toFile()).get(0).path("fingerprint").asText()).isEqualTo(fingerprint);
    }

    @Test
    void outsideCiNothingIsPrintedOrWritten() throws Exception {
        CheckMojo mojo = checkIn(workspace, Map.of("GITHUB_ACTIONS", "false"));
        assertThatThrownBy(mojo::execute).isInstanceOf(MojoFailureException.class);
        assertThat(commands).isEmpty();
        assertThat(log.text()).doesNotContain("CI: wrote");
    }

    @Test
    void workflowCommandValuesAreEscapedByTheRules() {
        assertThat(CiReports.data("100% done\r\nnext: a,b")).isEqualTo("100%25 done%0D%0Anext: a,b");
        assertThat(CiReports.property("100% done\r\nnext: a,b")).isEqualTo("100%25 done%0D%0Anext%3A a%2Cb");
        assertThat(CiReports.root(workspace.toString(), workspace.resolve("a/b"))).isEqualTo(workspace.toAbsolutePath().normalize());
        assertThat(CiReports.root("/elsewhere", workspace.resolve("a"))).isEqualTo(workspace.resolve("a").toAbsolutePath().normalize());
    }

    /** The duration the summary table of the log shows for a fixture. */
    private static String seconds(RecordingLog log, String fixture) {
        for (String line : log.lines) {
            String row = line.replaceFirst("^\\[INFO\\] +", "");
            if (row.startsWith(fixture + " ")) return row.replaceAll(".*?(\\d+\\.\\d\\d s)$", "$1");
        }
        throw new AssertionError("no summary row for " + fixture + " in\n" + log.text());
    }
}
