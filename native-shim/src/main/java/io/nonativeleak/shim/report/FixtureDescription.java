package io.nonativeleak.shim.report;

import java.util.List;

/**
 * What was run.
 *
 * @param target        the script path or {@code package.module:function}, as given
 * @param kind          {@code script} or {@code callable}
 * @param args          its arguments
 * @param python        the interpreter that ran it
 * @param pythonVersion that interpreter's version
 * @param warmup        how many runs preceded the measured ones
 * @param runs          how many measured runs there were (a leak counts only when every one of them leaked)
 */
public record FixtureDescription(
        String target, String kind, List<String> args, String python, String pythonVersion, int warmup, int runs) {}
