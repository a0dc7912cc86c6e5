package io.nonativeleak.shim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private static final String PROBE = "import json, sys; print(json.dumps({'implementation': sys.implementation.name, "
            + "'version': '.'.join(map(str, sys.version_info[:3])), 'major': sys.version_info[0], "
            + "'minor': sys.version_info[1], 'executable': sys.executable}))";
    private static final Map<Path, PythonInterpreter> PROBED = new ConcurrentHashMap<>();

    private final String requested;
    private final Path executable;
    private final String version;

    private PythonInterpreter(String requested, Path executable, String version) {
        this.requested = requested;
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
        return PROBED.computeIfAbsent(path, p -> probe(requested, p));
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) if (v != null && !v.isBlank()) return v.strip();
        throw new IllegalStateException();
    }

    private static Path locate(String requested, Path baseDirectory) {
        if (requested.contains("/")) {
            Path path = baseDirectory.resolve(requested).normalize();
            if (!Files.isRegularFile(path)) throw new NoNativeLeakException("Python interpreter not found: " + path);
            if (!Files.isExecutable(path)) throw new NoNativeLeakException("Python interpreter is not executable: " + path);
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

    private static PythonInterpreter probe(String requested, Path path) {
        Path output = null;
        try {
            output = Files.createTempFile("nonativeleak-probe-", ".txt");
            Process process = new ProcessBuilder(path.toString(), "-c", PROBE)
                    .redirectErrorStream(true).redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new NoNativeLeakException("Python interpreter " + path + " did not answer within 60 s");
            }
            String text = Files.readString(output, StandardCharsets.UTF_8).strip();
            String last = text.lines().reduce((a, b) -> b).orElse("");
            if (process.exitValue() != 0 || !last.startsWith("{"))
                throw new NoNativeLeakException("Python interpreter " + path + " does not run: " + text);
            JsonNode facts = new ObjectMapper().readTree(last);
            String version = facts.get("version").asText();
            if (!facts.get("implementation").asText().equals("cpython") || facts.get("major").asInt() != 3
                    || facts.get("minor").asInt() < 9)
                throw new NoNativeLeakException("Python interpreter " + path + " is " + facts.get("implementation").asText()
                        + " " + version + "; NoNativeLeak needs CPython 3.9 or newer");
            String executable = facts.get("executable").asText();
            return new PythonInterpreter(requested, executable.isEmpty() ? path : Path.of(executable), version);
        } catch (IOException e) {
            throw new NoNativeLeakException("cannot run Python interpreter " + path + ": " + e.getMessage(), e);
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

    /** The interpreter's own {@code sys.executable}: what fixtures are started with. */
    public Path executable() {
        return executable;
    }

    /** Its version, e.g. 3.11.7. */
    public String version() {
        return version;
    }
}
