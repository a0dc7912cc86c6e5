package io.nonativeleak.shim;

import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.testing.TestFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that leaves a million blocks live is read and grouped into its site in a JVM with a 16 MiB heap:
 * reading streams the live tables and keeps nothing per block (docs/benchmarks.md, "Reading the data").
 */
class ReadingAtScaleTest {
    private static final int BLOCKS = 1_000_000;

    @TempDir
    Path work;

    @Test
    void aMillionLiveBlocksAreReadInASmallHeap() throws Exception {
        Path run = Files.createDirectories(work.resolve("run"));
        Files.writeString(run.resolve("patterns"), "pattern " + TestFixtures.PATTERN + "\n");
        ProcessBuilder fixture = new ProcessBuilder(TestFixtures.python(), "-c",
                "import os, sys; sys.path.insert(0, sys.argv[1]); import leaky\n"
                        + "leaky.leak_in_native_thread(" + BLOCKS + ", 8)\n"
                        + "os._exit(0)\n", TestFixtures.directory().toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("fixture.log").toFile());
        fixture.environment().put("LD_PRELOAD", Shim.load().library().toString());
        fixture.environment().put("NONATIVELEAK_RUN_DIR", run.toString());
        Process p = fixture.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(work.resolve("fixture.log"))).isZero();

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process reader = new ProcessBuilder(java.toString(), "-Xmx16m", "-cp", System.getProperty("java.class.path"),
                ReadingScale.class.getName(), run.toString()).redirectErrorStream(true).start();
        String out = new String(reader.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(reader.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(reader.exitValue()).as(out).isZero();
        assertThat(out).contains(BLOCKS + " live blocks at 1 sites");
    }
}
