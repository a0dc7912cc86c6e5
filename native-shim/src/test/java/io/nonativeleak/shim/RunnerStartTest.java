package io.nonativeleak.shim;

import static io.nonativeleak.shim.testing.TestFixtures.PATTERN;
import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.testing.TestFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner starts as a module with its bytecode cached (issue 14: fixed cost per fixture); the fixture
 * must not notice: same Python settings, and nothing of its directory shadows what the runner imports.
 */
class RunnerStartTest {
    @TempDir
    Path dir;

    private RunReport run(String script, String dontWriteBytecode) throws IOException {
        Path fixture = Files.writeString(dir.resolve("fixture.py"), script);
        return FixtureLauncher.prepare(FixtureSpec.script(fixture.toString()).patterns(List.of(PATTERN)).requireMatch(false)
                .environment("PYTHONDONTWRITEBYTECODE", dontWriteBytecode).python(TestFixtures.python())
                .baseDirectory(dir).workingDirectory(dir).reportDirectory(dir.resolve("reports")).build()).run();
    }

    @Test
    void theFixtureKeepsItsDontWriteBytecodeSetting() throws IOException {
        String script = "import sys\nprint('dont_write_bytecode', sys.dont_write_bytecode)\n";

        assertThat(Path.of(run(script, "1").stdout())).content().contains("dont_write_bytecode True");
        assertThat(Path.of(run(script, null).stdout())).content().contains("dont_write_bytecode False");
    }

    @Test
    void modulesInTheWorkingDirectoryDoNotShadowTheRunnersImports() throws IOException {
        for (String module : List.of("ctypes", "threading", "types", "_json", "nonativeleak_runner"))
            Files.writeString(dir.resolve(module + ".py"), "raise SystemExit('the working directory shadowed " + module + "')\n");

        RunReport report = run("print('fixture ran')\n", null);

        assertThat(report.outcome()).as(report.reason()).isEqualTo(Outcome.CLEAN);
        assertThat(Path.of(report.stdout())).content().contains("fixture ran");
    }
}
