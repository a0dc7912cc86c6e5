package io.nonativeleak.shim;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.StringArray;
import io.nonativeleak.shim.report.CFrame;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The preload library and the Python runner, extracted from this jar into a private directory
 * (mode 0700, a fresh random name) and checked to load before any fixture starts.
 *
 * <p>The library is also loaded into this JVM, dormant (it interposes nothing when it is not preloaded),
 * so that patterns are validated, and matched against reports' stacks, by the very parser and matcher the
 * fixture processes use. {@code LD_PRELOAD} is set on fixture processes only.
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

        int nnl_pattern_match(byte[] text, StringArray symbols, StringArray modules, int[] starts, int stackCount, byte[] matched);

        int nnl_glob_matches(byte[] glob, byte[] text);

        int nnl_pattern_max_frames();
    }

    private final Path directory;
    private final Path library;
    private final Path runner;
    private final NativeApi api;
    /** How many frames of a stack a pattern is matched against, as the library says. */
    private final int maxFrames;

    private Shim(Path directory, Path library, Path runner, NativeApi api) {
        this.directory = directory;
        this.library = library;
        this.runner = runner;
        this.api = api;
        this.maxFrames = api.nnl_pattern_max_frames();
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

    /**
     * The frames of a report's C stack that a pattern is matched against: from frame 0 (the allocator wrappers
     * before it skipped), at most as many as the shim matches.
     */
    public List<CFrame> matchedFrames(List<CFrame> cStack) {
        List<CFrame> all = cStack == null ? List.of() : cStack;
        int first = 0;
        while (first < all.size() && all.get(first).wrapper()) first++;
        return all.subList(first, Math.min(all.size(), first + maxFrames));
    }

    /** Reports' C stacks (as {@link io.nonativeleak.shim.report.LeakSite#cStack()} has them), prepared once for matching many patterns. */
    public Stacks stacks(List<List<CFrame>> cStacks) {
        return new Stacks(cStacks);
    }

    /** Does the text match the pattern language's glob ({@code *}, {@code ?}, {@code \} escapes the next character)? */
    public boolean globMatches(String glob, String text) {
        return api.nnl_glob_matches(cString(glob), cString(text)) != 0;
    }

    /**
     * The pattern text that names {@code text} literally, as a symbol or an {@code obj:} glob: a backslash before
     * {@code * ? | \} and spaces, and a leading {@code obj:} written {@code obj\:} (docs/patterns.md, Escapes).
     */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '*' || c == '?' || c == '|' || c == '\\' || c == ' ') out.append('\\');
            out.append(c);
        }
        if (text.startsWith("obj:")) out.insert(3, '\\');
        return out.toString();
    }

    private static byte[] cString(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(bytes, bytes.length + 1);
    }

    /** C stacks handed to the shim's matcher once; each {@link #matchedBy} is one call into the shim. */
    public final class Stacks {
        private final StringArray symbols;
        private final StringArray modules;
        private final int[] starts;

        private Stacks(List<List<CFrame>> cStacks) {
            List<String> symbolList = new ArrayList<>();
            List<String> moduleList = new ArrayList<>();
            starts = new int[cStacks.size() + 1];
            for (int s = 0; s < cStacks.size(); s++) {
                for (CFrame frame : matchedFrames(cStacks.get(s))) {
                    symbolList.add(frame.symbol());
                    moduleList.add(frame.module());
                }
                starts[s + 1] = symbolList.size();
            }
            symbols = new StringArray(symbolList.toArray(String[]::new), StandardCharsets.UTF_8.name());
            modules = new StringArray(moduleList.toArray(String[]::new), StandardCharsets.UTF_8.name());
        }

        /**
         * Which of the stacks the pattern matches, by the shim's own matcher (frames carry no aliases here: a
         * name that matches only through an alias in the fixture process does not match).
         *
         * @throws InvalidPatternException when the pattern is malformed
         */
        public boolean[] matchedBy(String pattern) {
            byte[] matched = new byte[starts.length - 1];
            if (api.nnl_pattern_match(cString(pattern), symbols, modules, starts, matched.length, matched) != 0) {
                checkPattern(pattern);
                throw new NoNativeLeakException("the shim could not match the pattern '" + pattern + "' (out of memory)");
            }
            boolean[] out = new boolean[matched.length];
            for (int i = 0; i < matched.length; i++) out[i] = matched[i] != 0;
            return out;
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
