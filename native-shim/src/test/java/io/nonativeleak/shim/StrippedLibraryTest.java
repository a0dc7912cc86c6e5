package io.nonativeleak.shim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nonativeleak.shim.report.CFrame;
import io.nonativeleak.shim.report.LeakSite;
import io.nonativeleak.shim.report.RunReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's numpy is stripped: only exported functions have symbols. A frame inside a static function
 * must come out as module+offset, never as the nearest exported name. The truth is read independently,
 * from {@code nm -D -S}: every name the shim gives a numpy frame must be a function whose extent holds it.
 */
class StrippedLibraryTest {
    private static final Path DEBIAN_PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path work;

    @Test
    void framesInAStrippedNumpyAreNamedOnlyWhenASymbolReallyCoversThem() throws Exception {
        Path module = numpyModule();
        Path fixture = Files.writeString(work.resolve("subscripts.py"), String.join("\n",
                "import numpy as np",
                "kept = []",
                "for _ in range(20):",
                "    chunk = np.arange(1000, dtype=np.float64)",
                "    kept.append(chunk[chunk % 3 == 0])",
                "    kept.append(np.sort(chunk[::-1]))",
                ""));
        RunReport report = FixtureLauncher.prepare(FixtureSpec.script(fixture.toString())
                .patterns(List.of("obj:_multiarray_umath*")).python(DEBIAN_PYTHON.toString())
                .baseDirectory(work).reportDirectory(work.resolve("reports")).build()).run();

        Map<String, long[]> exported = exportedFunctions(module);
        List<CFrame> numpyFrames = new ArrayList<>();
        for (LeakSite site : report.sites())
            for (CFrame frame : site.cStack())
                if (module.getFileName().toString().equals(frame.module())) numpyFrames.add(frame);

        assertThat(report.sites()).isNotEmpty();
        assertThat(numpyFrames).extracting(CFrame::symbol).containsNull(); // static functions: no name
        for (CFrame frame : numpyFrames) {
            if (frame.symbol() == null) continue;
            long callSite = Long.decode(frame.offset()) - 1;
            long[] extent = exported.get(frame.symbol());
            assertThat(extent).as("%s is not an exported function of %s", frame.symbol(), module).isNotNull();
            assertThat(callSite).as("%s+%s lies outside %s", module.getFileName(), frame.offset(), frame.symbol())
                    .isBetween(extent[0], extent[0] + extent[1] - 1);
        }
    }

    private static Path numpyModule() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(DEBIAN_PYTHON), "no Debian python3");
        Process probe = new ProcessBuilder(DEBIAN_PYTHON.toString(), "-c",
                "import numpy.core._multiarray_umath as m; print(m.__file__)").start();
        String path = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assumeTrue(probe.waitFor() == 0, "Debian's numpy is not installed (apt-get install python3-numpy)");
        return Path.of(path);
    }

    /** name -> {start, size} of every exported function, from binutils. */
    private static Map<String, long[]> exportedFunctions(Path module) throws IOException, InterruptedException {
        Process nm = new ProcessBuilder("nm", "-D", "-S", "--defined-only", module.toString()).start();
        Map<String, long[]> functions = new HashMap<>();
        for (String line : new String(nm.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && (f[2].equals("T") || f[2].equals("t") || f[2].equals("W") || f[2].equals("i")))
                functions.put(f[3], new long[] {Long.parseLong(f[0], 16), Long.parseLong(f[1], 16)});
        }
        assertThat(nm.waitFor()).isZero();
        return functions;
    }
}
