package io.nonativeleak.shim;

import io.nonativeleak.shim.report.RunReport;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the data files of a run directory and assembles its report, printing what it found, how long that
 * took and the most heap it used: the measurement of docs/benchmarks.md, "Reading the data", and the child
 * JVM of ReadingAtScaleTest (which checks what it found, never the time).
 * Usage: {@code java -Xmx256m -cp <test classpath> io.nonativeleak.shim.ReadingScale RUN_DIR}
 */
final class ReadingScale {
    private ReadingScale() {}

    public static void main(String[] args) throws Exception {
        Path runDirectory = Path.of(args[0]);
        PythonInterpreter interpreter = PythonInterpreter.resolve(null, Path.of("."));
        long started = System.nanoTime();
        List<ProcessDataReader.ProcessData> processes = ProcessDataReader.readAll(runDirectory);
        long read = System.nanoTime();
        FixtureSpec spec = FixtureSpec.script("keep.py").build();
        RunReport report = new ReportAssembler(spec, interpreter)
                .assemble("reading-scale", processes.isEmpty() ? 0 : processes.get(0).pid(),
                        new ReportAssembler.Ending(false, 0, 0), null, processes, Path.of("stdout"), Path.of("stderr"));
        long assembled = System.nanoTime();
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
            if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
        System.out.printf("%d processes, %d live blocks at %d sites: read in %d ms, assembled in %d ms; peak heap %d MiB of %d MiB%n",
                processes.size(), report.leaked().count(), report.sites().size(), (read - started) / 1_000_000,
                (assembled - read) / 1_000_000, peak >> 20, Runtime.getRuntime().maxMemory() >> 20);
    }
}
