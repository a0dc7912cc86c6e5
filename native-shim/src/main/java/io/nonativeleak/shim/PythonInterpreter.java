package io.nonativeleak.shim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A CPython 3.9+ interpreter, found and checked before any fixture starts.
 *
 * <p>Which one: the explicit setting (annotation attribute or plugin parameter), else the system property
 * {@code nonativeleak.python}, else the environment variable {@code NONATIVELEAK_PYTHON}, else {@code python3}
 * on {@code PATH}. A value with a '/' is a path (relative ones against the base directory); a bare name is
 * looked up on {@code PATH}.
 */
public final class PythonInterpreter {
    public static final String PROPERTY = "nonativeleak.python";
    public static final String ENVIRONMENT = "NONATIVELEAK_PYTHON";
    /** Runs on any Python (2 too, and PyPy): so that what it is can be said, not only that it failed. */
    private static final String PROBE = "import json, platform, sys; print(json.dumps({'implementation': "
            + "platform.python_implementation(), 'version': '.'.join(map(str, sys.version_info[:3])), "
            + "'major': sys.version_info[0], 'minor': sys.version_info[1], 'executable': sys.executable}))";
    /** Bounds the wait for an interpreter that hangs at start-up. */
    static final int PROBE_TIMEOUT_SECONDS = 20;
    private static final String NEEDS = "NoNativeLeak needs CPython 3.9 or newer";
    /** Checked interpreters of this JVM, by the file they start as it was then: one replaced is checked again. */
    private static final Map<InterpreterFile, PythonInterpreter> PROBED = new ConcurrentHashMap<>();

    /** An interpreter's path and the file it leads to (links followed), as found on disk. */
    private record InterpreterFile(Path path, Path file, FileTime modified, long size, Object fileKey) {
        static InterpreterFile of(Path path) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
                return new InterpreterFile(path, path.toRealPath(), attributes.lastModifiedTime(), attributes.size(),
                        attributes.fileKey());
            } catch (IOException e) {
                return new InterpreterFile(path, null, null, -1, null); // probing it says what is wrong
            }
        }
    }

    private final String requested;
    private final Path launcher;
    private final Path executable;
    private final String version;

    private PythonInterpreter(String requested, Path launcher, Path executable, String version) {
        this.requested = requested;
        this.launcher = launcher;
        this.executable = executable;
        this.version = version;
    }

    /**
     * Resolves and checks the interpreter.
     *
     * @param explicit    the user's setting, or null/blank to fall back
     * @param baseDirectory where relative paths are resolved
     * @throws NoNativeLeakException when it cannot be found, does not run, or is not CPython 3.9+
     */
    public static PythonInterpreter resolve(String explicit, Path baseDirectory) {
        String requested = firstNonBlank(explicit, System.getProperty(PROPERTY), System.getenv(ENVIRONMENT), "python3");
        Path path = locate(requested, baseDirectory);
        return PROBED.computeIfAbsent(InterpreterFile.of(path), file -> probe(requested, file.path()));
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) if (v != null && !v.isBlank()) return v.strip();
        throw new IllegalStateException();
    }

    private static Path locate(String requested, Path baseDirectory) {
        if (requested.contains("/")) {
            Path path = baseDirectory.resolve(requested).normalize();
            if (Files.isSymbolicLink(path) && !Files.exists(path))
                throw new NoNativeLeakException("Python interpreter " + path + " is a broken link to " + linkTarget(path)
                        + " (a virtual environment whose base interpreter was removed?); " + NEEDS);
            if (!Files.isRegularFile(path)) throw new NoNativeLeakException("Python interpreter not found: " + path);
            if (!Files.isExecutable(path))
                throw new NoNativeLeakException("Python interpreter " + path + " is a file without execute permission; " + NEEDS);
            return path;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, requested);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
        }
        throw new NoNativeLeakException("Python interpreter '" + requested + "' not found on PATH; set the python "
                + "attribute or parameter, -D" + PROPERTY + " or " + ENVIRONMENT);
    }

    private static String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "?";
        }
    }

    private static PythonInterpreter probe(String requested, Path path) {
        Path output = null;
        try {
            output = Files.createTempFile("nonativeleak-probe-", ".txt");
            Process process = new ProcessBuilder(path.toString(), "-c", PROBE)
                    .redirectErrorStream(true).redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!process.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new NoNativeLeakException("Python interpreter " + path + " did not answer within " + PROBE_TIMEOUT_SECONDS
                        + " s (it hangs at start-up); " + NEEDS);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8).strip();
            String last = text.lines().map(String::strip).filter(l -> !l.isEmpty()).reduce((a, b) -> b).orElse("");
            if (process.exitValue() != 0 || !last.startsWith("{"))
                throw new NoNativeLeakException("Python interpreter " + path + " does not run (exit code " + process.exitValue()
                        + (last.isEmpty() ? "" : ": " + last) + "); " + NEEDS);
            JsonNode facts = new ObjectMapper().readTree(last);
            String version = facts.get("version").asText();
            String implementation = facts.get("implementation").asText();
            if (!implementation.equals("CPython") || facts.get("major").asInt() != 3 || facts.get("minor").asInt() < 9)
                throw new NoNativeLeakException("Python interpreter " + path + " is " + implementation + " " + version
                        + (implementation.equals("CPython") ? "" : " (not CPython)") + "; " + NEEDS);
            String executable = facts.get("executable").asText();
            return new PythonInterpreter(requested, path, executable.isEmpty() ? path : Path.of(executable), version);
        } catch (IOException e) {
            throw new NoNativeLeakException("cannot run Python interpreter " + path + ": " + e.getMessage() + "; " + NEEDS, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NoNativeLeakException("interrupted while checking Python interpreter " + path, e);
        } finally {
            if (output != null) output.toFile().delete();
        }
    }

    /** What the user asked for (a path or a name). */
    public String requested() {
        return requested;
    }

    /**
     * The path fixtures are started with: the configured one, found on disk. It may be a wrapper that
     * execs the real interpreter (a chroot or container entry script) and differ from {@link #executable}.
     */
    public Path launcher() {
        return launcher;
    }

    /** The interpreter's own {@code sys.executable} (inside a wrapper's root, the path there). */
    public Path executable() {
        return executable;
    }

    /** Its version, e.g. 3.11.7. */
    public String version() {
        return version;
    }
}
