package io.nonativeleak.maven;

import io.nonativeleak.shim.FixtureLauncher;
import io.nonativeleak.shim.FixtureSpec;
import io.nonativeleak.shim.InvalidPatternException;
import io.nonativeleak.shim.NoNativeLeakException;
import io.nonativeleak.shim.Platform;
import io.nonativeleak.shim.PythonInterpreter;
import io.nonativeleak.shim.Shim;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;

/**
 * Checks every configured run before any of them starts: platform, report directory, shim, and per run
 * its script or callable, its patterns, its interpreter. All problems are reported together, each with
 * the parameter to fix; nothing runs while one remains.
 */
final class Preflight {
    private Preflight() {}

    static List<FixtureLauncher> prepareAll(List<PlannedRun> runs, Path reportDirectory, String reportParameter)
            throws MojoExecutionException {
        String unsupported = Platform.unsupportedReason();
        if (unsupported != null) {
            throw new MojoExecutionException(unsupported + ". No fixture was run; set nonativeleak.skip=true to skip "
                    + "NoNativeLeak on this machine.");
        }
        List<String> problems = new ArrayList<>();
        try {
            FixtureLauncher.requireWritable(reportDirectory);
        } catch (NoNativeLeakException e) {
            problems.add(reportParameter + ": " + e.getMessage());
        }
        Shim shim;
        try {
            shim = Shim.load();
        } catch (NoNativeLeakException e) {
            throw new MojoExecutionException(e.getMessage() + ". No fixture was run.", e);
        }
        List<FixtureLauncher> launchers = new ArrayList<>();
        for (PlannedRun run : runs) {
            int before = problems.size();
            FixtureSpec spec = run.spec();
            if (spec.kind() == FixtureSpec.Kind.SCRIPT && !Files.isRegularFile(spec.scriptPath())) {
                problems.add(run.targetParameter() + ": fixture script not found: " + spec.scriptPath());
            }
            checkPatterns(shim, spec.patterns(), run.patternsParameter(), problems);
            checkPatterns(shim, spec.ignore(), run.ignoreParameter(), problems);
            try {
                PythonInterpreter.resolve(spec.python(), spec.baseDirectory());
            } catch (NoNativeLeakException e) {
                problems.add(run.pythonParameter() + ": " + e.getMessage());
            }
            if (problems.size() > before) continue;
            try {
                launchers.add(FixtureLauncher.prepare(spec));
            } catch (NoNativeLeakException e) {
                problems.add(run.label() + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            StringBuilder message = new StringBuilder("NoNativeLeak configuration is invalid; no fixture was run:");
            for (String problem : problems) message.append("\n  - ").append(problem.replace("\n", "\n    "));
            throw new MojoExecutionException(message.toString());
        }
        return launchers;
    }

    private static void checkPatterns(Shim shim, List<String> patterns, String parameter, List<String> problems) {
        for (int i = 0; i < patterns.size(); i++) {
            try {
                shim.checkPattern(patterns.get(i));
            } catch (InvalidPatternException e) {
                String where = patterns.size() == 1 ? parameter : parameter + " (pattern " + (i + 1) + ")";
                problems.add(where + ": " + e.getMessage());
            }
        }
    }
}
