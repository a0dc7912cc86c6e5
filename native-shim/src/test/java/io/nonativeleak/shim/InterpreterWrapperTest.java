package io.nonativeleak.shim;

import static io.nonativeleak.shim.testing.TestFixtures.PATTERN;
import static io.nonativeleak.shim.testing.TestFixtures.lineOf;
import static io.nonativeleak.shim.testing.TestFixtures.script;
import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.RunReport;
import io.nonativeleak.shim.testing.TestFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 6: an interpreter reached through a wrapper that execs it (a chroot or container entry
 * script; CI's scripts/sid-python3.14 is one). The process that finally runs Python is tracked and judged.
 */
class InterpreterWrapperTest {
    @TempDir
    Path dir;

    private RunReport run(Path python) {
        return FixtureLauncher.prepare(FixtureSpec.script(script("leak.py").toString()).patterns(List.of(PATTERN))
                .python(python.toString()).baseDirectory(TestFixtures.directory()).reportDirectory(dir.resolve("reports"))
                .name("leak").build()).run();
    }

    @Test
    void aWrapperThatExecsTheInterpreterIsTrackedThroughTheExec() throws IOException {
        Path wrapper = dir.resolve("python-wrapper");
        // A step before the exec, as entry scripts have, and an exec through env: two images before Python.
        Files.writeString(wrapper, "#!/bin/sh\nbase=$(dirname \"$0\")\nexec env " + TestFixtures.python() + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));

        RunReport report = run(wrapper);

        assertThat(report.outcome()).as(report.reason()).isEqualTo(Outcome.LEAKED);
        assertThat(report.matched().count()).isEqualTo(3);
        assertThat(report.leaked().count()).isEqualTo(3);
        assertThat(report.pythonStacks().enabled()).as(report.pythonStacks().reason()).isTrue();
        LeakSite site = report.sites().get(0);
        assertThat(site.pythonStack().get(0).line()).isEqualTo(lineOf("leak.py", "LEAK-LINE"));
        assertThat(report.processes()).filteredOn(p -> p.pid() == site.pid()).hasSize(1);
        assertThat(report.processes().get(0).judged()).isTrue();
    }
}
