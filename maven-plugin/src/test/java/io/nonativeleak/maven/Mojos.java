package io.nonativeleak.maven;

import io.nonativeleak.shim.testing.TestFixtures;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Goals configured as Maven would from a POM, for the tests (fields are package-private for this). */
final class Mojos {
    private Mojos() {}

    static CheckMojo check(Path project, RecordingLog log) {
        CheckMojo mojo = new CheckMojo();
        mojo.setLog(log);
        mojo.baseDirectory = project.toFile();
        mojo.reportDirectory = project.resolve("target/nonativeleak").toFile();
        mojo.python = TestFixtures.python();
        mojo.timeoutSeconds = 120;
        mojo.requireMatch = true;
        mojo.failOnLeak = true;
        mojo.top = 5;
        mojo.patterns = new ArrayList<>(List.of(TestFixtures.PATTERN));
        return mojo;
    }

    static DiscoverMojo discover(Path directory, RecordingLog log) {
        DiscoverMojo mojo = new DiscoverMojo();
        mojo.setLog(log);
        mojo.baseDirectory = directory.toFile();
        mojo.reportDirectory = directory.resolve("target/nonativeleak").toFile();
        mojo.python = TestFixtures.python();
        mojo.timeoutSeconds = 120;
        mojo.top = 10;
        return mojo;
    }

    /** Runs the report goal over the project's report directory as Maven would; returns the page it wrote. */
    static Path report(Path project, RecordingLog log) throws Exception {
        ReportMojo report = new ReportMojo();
        report.setLog(log);
        report.reportDirectory = project.resolve("target/nonativeleak").toFile();
        report.baseDirectory = project.toFile();
        report.execute();
        return project.resolve("target/nonativeleak/index.html");
    }

    static Fixture script(String script, String... args) {
        Fixture f = new Fixture();
        f.setScript(script);
        f.setArgs(new ArrayList<>(List.of(args)));
        return f;
    }

    static File file(Path p) {
        return p.toFile();
    }
}
