package io.nonativeleak.shim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nonativeleak.shim.testing.TestFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interpreter check is paid once per JVM, not per fixture (issue 14: fixed cost per fixture), yet an
 * interpreter replaced between fixtures (a venv recreated, a wrapper edited) is checked again.
 */
class InterpreterCheckTest {
    @TempDir
    Path dir;

    /** A wrapper that notes each start in a log, then runs the real interpreter (or whatever body says). */
    private Path wrapper(String name, String body) throws IOException {
        Path wrapper = dir.resolve(name);
        Path staged = dir.resolve(name + ".new");
        Files.writeString(staged, "#!/bin/sh\necho started >> " + dir.resolve(name + ".log") + "\n" + body + "\n");
        Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rwx------"));
        Files.move(staged, wrapper, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return wrapper;
    }

    private long starts(String name) throws IOException {
        Path log = dir.resolve(name + ".log");
        return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    }

    @Test
    void anUnchangedInterpreterIsCheckedOnce() throws IOException {
        Path python = wrapper("python", "exec " + TestFixtures.python() + " \"$@\"");

        for (int fixture = 0; fixture < 3; fixture++) PythonInterpreter.resolve(python.toString(), dir);

        assertThat(starts("python")).isEqualTo(1);
    }

    @Test
    void anInterpreterReplacedBetweenFixturesIsCheckedAgain() throws IOException {
        Path python = wrapper("python", "exec " + TestFixtures.python() + " \"$@\"");
        assertThat(PythonInterpreter.resolve(python.toString(), dir).version()).startsWith("3.");

        wrapper("python", "echo 'no interpreter here'; exit 3");

        assertThatThrownBy(() -> PythonInterpreter.resolve(python.toString(), dir))
                .isInstanceOf(NoNativeLeakException.class).hasMessageContaining("does not run (exit code 3: no interpreter here)");
        assertThat(starts("python")).isEqualTo(2);
    }
}
