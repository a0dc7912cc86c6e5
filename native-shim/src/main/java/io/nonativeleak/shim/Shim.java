package io.nonativeleak.shim;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The preload library and the Python runner, extracted from this jar into a private directory
 * (mode 0700, a fresh random name) and checked to load before any fixture starts.
 *
 * <p>The library is also loaded into this JVM, dormant (it interposes nothing when it is not preloaded),
 * so that patterns are validated by the very parser the fixture processes use. {@code LD_PRELOAD} is set
 * on fixture processes only.
 */
public final class Shim {
    /** System property naming a shim library to use instead of the bundled one (a build of your own). */
    public static final String LIBRARY_PROPERTY = "nonativeleak.shim";
    /** System property naming the directory for the private extraction directory (default java.io.tmpdir). */
    public static final String TMPDIR_PROPERTY = "nonativeleak.tmpdir";
    static final String RESOURCE_PREFIX = "/linux-x86-64/";
    static final String LIBRARY_NAME = "libnonativeleak.so";
    static final String RUNNER_NAME = "nonativeleak_runner.py";
    private static final int RTLD_NOW = 2;
    private static final Map<String, Shim> LOADED = new ConcurrentHashMap<>();

    interface NativeApi extends Library {
        String nnl_version();

        int nnl_pattern_check(String text, byte[] reason, long reasonSize);
    }

    private final Path directory;
    private final Path library;
    private final Path runner;
    private final NativeApi api;

    private Shim(Path directory, Path library, Path runner, NativeApi api) {
        this.directory = directory;
        this.library = library;
        this.runner = runner;
        this.api = api;
    }

    /**
     * The shim for this JVM, extracted and loaded on first use.
     *
     * @throws UnsupportedPlatformException off Linux x86-64 with glibc
     * @throws NoNativeLeakException        when it cannot be extracted or does not load (the message says why)
     */
    public static Shim load() {
        Platform.requireSupported();
        String override = System.getProperty(LIBRARY_PROPERTY, "");
        return LOADED.computeIfAbsent(override, Shim::extractAndLoad);
    }

    private static Shim extractAndLoad(String override) {
        Path directory = createPrivateDirectory();
        Path library = directory.resolve(LIBRARY_NAME);
        Path runner = directory.resolve(RUNNER_NAME);
        if (override.isEmpty()) extract(LIBRARY_NAME, library);
        else copy(Path.of(override), library);
        extract(RUNNER_NAME, runner);
        NativeApi api;
        try {
            api = Native.load(library.toString(), NativeApi.class, Map.of(Library.OPTION_OPEN_FLAGS, RTLD_NOW));
        } catch (UnsatisfiedLinkError e) {
            throw new NoNativeLeakException(loadFailure(library, e.getMessage()), e);
        }
        String version = api.nnl_version();
        if (!"1".equals(version)) throw new NoNativeLeakException("the shim " + library + " answers version " + version + ", expected 1");
        return new Shim(directory, library, runner, api);
    }

    private static String loadFailure(Path library, String message) {
        // JNA adds a line listing every place it looked (the whole class path): keep the loader's own words.
        if (message != null)
            message = message.lines().filter(l -> !l.contains("not found in resource path")).map(String::strip)
                    .filter(l -> !l.isEmpty()).collect(java.util.stream.Collectors.joining(" "));
        String hint = message != null && message.contains("libunwind")
                ? " (the shim needs the libunwind runtime: apt-get install libunwind8)"
                : "";
        return "the NoNativeLeak shim does not load: " + message + hint + " [" + library + "]";
    }

    private static Path createPrivateDirectory() {
        Path base = Path.of(System.getProperty(TMPDIR_PROPERTY, System.getProperty("java.io.tmpdir")));
        Path directory;
        try {
            directory = Files.createTempDirectory(base, "nonativeleak-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new NoNativeLeakException("cannot create a private directory for the shim in " + base + ": " + e.getMessage(), e);
        }
        String path = directory.toString();
        if (path.chars().anyMatch(c -> Character.isWhitespace(c) || c == ':' || c == '$')) {
            deleteRecursively(directory);
            throw new NoNativeLeakException("the shim would be extracted to '" + path + "', a path LD_PRELOAD cannot carry"
                    + " (it contains a space, ':' or '$'); point -D" + TMPDIR_PROPERTY + " or java.io.tmpdir elsewhere");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(directory), "nonativeleak-cleanup"));
        return directory;
    }

    private static void extract(String name, Path destination) {
        File unpacked;
        try {
            unpacked = Native.extractFromResourcePath(RESOURCE_PREFIX + name, Shim.class.getClassLoader());
        } catch (IOException e) {
            throw new NoNativeLeakException("cannot extract " + name + " from the nonativeleak-shim jar: " + e.getMessage(), e);
        }
        copy(unpacked.toPath(), destination);
        // JNA hands out the file itself when the resource is a plain file (target/classes), else a temporary copy.
        if (!"file".equals(Shim.class.getResource(RESOURCE_PREFIX + name).getProtocol())) unpacked.delete();
    }

    private static void copy(Path source, Path destination) {
        try {
            Files.copy(source, destination, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new NoNativeLeakException("cannot copy " + source + " to " + destination + ": " + e.getMessage(), e);
        }
    }

    static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // best effort: a temporary directory
        }
    }

    /**
     * Checks one stack pattern with the shim's own parser.
     *
     * @throws InvalidPatternException with the position and the reason when it is malformed
     */
    public void checkPattern(String pattern) {
        byte[] reason = new byte[256];
        int position = api.nnl_pattern_check(pattern, reason, reason.length);
        if (position != 0) {
            int end = 0;
            while (end < reason.length && reason[end] != 0) end++;
            throw new InvalidPatternException(pattern, position, new String(reason, 0, end, StandardCharsets.UTF_8));
        }
    }

    public Path library() {
        return library;
    }

    public Path runner() {
        return runner;
    }

    /** A fresh directory for one run's data, inside the private directory. */
    Path newRunDirectory(String name) {
        try {
            Path runs = Files.createDirectories(directory.resolve("runs"));
            String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
            return Files.createTempDirectory(runs, safe.substring(0, Math.min(60, safe.length())) + "-");
        } catch (IOException e) {
            throw new NoNativeLeakException("cannot create a run directory in " + directory + ": " + e.getMessage(), e);
        }
    }
}
