package io.nonativeleak.maven;

import io.nonativeleak.shim.GateSettings;
import java.io.File;
import java.nio.file.Path;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * What every NoNativeLeak goal shares: the switch to skip it and the report directory. A goal holds no
 * state beyond its parameters, so goals of different modules can run in parallel ({@code mvn -T}).
 */
public abstract class AbstractNoNativeLeakMojo extends AbstractMojo {
    /** Skips the goal. */
    @Parameter(property = "nonativeleak.skip", defaultValue = "false")
    boolean skip;

    /**
     * Where the reports ({@code *.json}, one per fixture run), the fixtures' output and {@code index.html}
     * are written. The JUnit extension writes into the same place. Without a project (discover run from a
     * bare directory) this is {@code ./target/nonativeleak}.
     */
    @Parameter(property = "nonativeleak.reportDirectory", defaultValue = "${project.build.directory}/nonativeleak")
    File reportDirectory;

    /**
     * The directory relative paths (scripts, interpreters) are resolved against: the project's base
     * directory, or without a project the current directory.
     */
    @Parameter(defaultValue = "${project.basedir}", readonly = true)
    File baseDirectory;

    /** The build's session: where Maven was started, and the user properties, for goals run without a project. */
    @Parameter(defaultValue = "${session}", readonly = true)
    MavenSession session;

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        String reason = skipReason();
        if (reason != null) {
            getLog().info("Skipping NoNativeLeak: " + reason);
            return;
        }
        if (baseDirectory == null) withoutProject();
        executeGoal();
    }

    /** Run from a bare directory (no pom.xml): paths resolve against it, reports go to ./target/nonativeleak. */
    private void withoutProject() {
        String root = session != null ? session.getExecutionRootDirectory() : null;
        Path here = Path.of(root != null ? root : System.getProperty("user.dir")).toAbsolutePath();
        baseDirectory = here.toFile();
        String explicit = session != null ? session.getUserProperties().getProperty("nonativeleak.reportDirectory") : null;
        reportDirectory = explicit != null && !explicit.isBlank() ? here.resolve(explicit.strip()).toFile()
                : here.resolve(GateSettings.DEFAULT_REPORT_DIRECTORY).toFile();
    }

    /** Why the goal is skipped, or null to run it. */
    String skipReason() {
        return skip ? "nonativeleak.skip is set" : null;
    }

    abstract void executeGoal() throws MojoExecutionException, MojoFailureException;
}
