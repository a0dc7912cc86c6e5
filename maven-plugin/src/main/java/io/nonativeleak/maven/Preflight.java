package io.nonativeleak.maven;

import io.nonativeleak.shim.FixtureLauncher;
import io.nonativeleak.shim.GateSettings.Field;
import io.nonativeleak.shim.GateSettings.Problem;
import io.nonativeleak.shim.NoNativeLeakException;
import io.nonativeleak.shim.Platform;
import io.nonativeleak.shim.Shim;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;

/**
 * Checks every configured run before any of them starts: platform, report directory, shim, and per run
 * what {@link FixtureLauncher#check} checks. All problems are reported together, each with the parameter
 * to fix; nothing runs while one remains.
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
        try {
            Shim.load();
        } catch (NoNativeLeakException e) {
            throw new MojoExecutionException(e.getMessage() + ". No fixture was run.", e);
        }
        List<FixtureLauncher> launchers = new ArrayList<>();
        for (PlannedRun run : runs) {
            FixtureLauncher.Checked checked = FixtureLauncher.check(run.spec());
            if (checked.launcher() != null) launchers.add(checked.launcher());
            for (Problem problem : checked.problems()) {
                if (problem.field() == Field.REPORT_DIRECTORY) continue; // named once above, for every run
                problems.add(parameter(run, problem) + ": " + problem.message());
            }
        }
        if (!problems.isEmpty()) {
            StringBuilder message = new StringBuilder("NoNativeLeak configuration is invalid; no fixture was run:");
            for (String problem : problems) message.append("\n  - ").append(problem.replace("\n", "\n    "));
            throw new MojoExecutionException(message.toString());
        }
        return launchers;
    }

    /** The parameter to fix for a problem: those a run names, else the run itself. */
    private static String parameter(PlannedRun run, Problem problem) {
        if (problem.field() == null) return run.label();
        return switch (problem.field()) {
            case TARGET -> run.targetParameter();
            case PATTERNS -> pattern(run.patternsParameter(), problem.index(), run.spec().patterns().size());
            case IGNORE -> pattern(run.ignoreParameter(), problem.index(), run.spec().ignore().size());
            case PYTHON -> run.pythonParameter();
            default -> run.label();
        };
    }

    private static String pattern(String parameter, int index, int count) {
        return count == 1 ? parameter : parameter + " (pattern " + (index + 1) + ")";
    }
}
