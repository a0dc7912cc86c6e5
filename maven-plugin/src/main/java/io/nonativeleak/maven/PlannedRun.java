package io.nonativeleak.maven;

import io.nonativeleak.shim.FixtureSpec;

/**
 * A fixture run as configured, with the names of the parameters it came from, so that an error
 * names the parameter to fix ({@code fixtures[2].patterns[1]}, {@code nonativeleak.script}, ...).
 *
 * @param label             how the log names the run
 * @param spec              what to run and how to judge it
 * @param targetParameter   the parameter that holds the script or callable
 * @param patternsParameter the parameter that holds the patterns
 * @param ignoreParameter   the parameter that holds the ignore patterns
 * @param pythonParameter   the parameter that chose the interpreter
 */
record PlannedRun(String label, FixtureSpec spec, String targetParameter, String patternsParameter,
                  String ignoreParameter, String pythonParameter) {}
