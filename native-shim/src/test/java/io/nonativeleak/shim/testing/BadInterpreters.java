package io.nonativeleak.shim.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Every kind of interpreter NoNativeLeak must refuse before a fixture runs (issue 12 item 5), real
 * where the machine has it: the name of each case and the line its error must contain.
 */
public final class BadInterpreters {
    public static final String NEEDS = "NoNativeLeak needs CPython 3.9 or newer";
    private static final Path PYENV = Path.of(System.getProperty("user.home"), ".pyenv", "versions");

    private BadInterpreters() {}

    /** One bad interpreter: its path and what its one-line error must say besides naming it and NEEDS. */
    public record Case(String name, Path python, String says) {}

    /** The cases this machine can make, in a fresh directory (interpreters it lacks are left out). */
    public static Map<String, Case> make() {
        try {
            Path dir = Files.createTempDirectory("nonativeleak-bad-python-");
            Map<String, Case> cases = new LinkedHashMap<>();
            pyenv(cases, "python2", "2.7.18", "python2.7", "is CPython 2.7.18");
            pyenv(cases, "python38", "3.8.18", "python3.8", "is CPython 3.8.18");
            pyenv(cases, "python37", "3.7.16", "python3.7", "is CPython 3.7.16");
            pyenv(cases, "python36", "3.6.15", "python3.6", "is CPython 3.6.15");
            Path pypy = Path.of("/usr/bin/pypy3");
            if (Files.isExecutable(pypy)) cases.put("pypy", new Case("pypy", pypy, "is PyPy 3."));

            Path notExecutable = Files.writeString(dir.resolve("python-not-executable"), "#!/bin/sh\nexec python3 \"$@\"\n");
            cases.put("notExecutable", new Case("notExecutable", notExecutable, "is a file without execute permission"));

            Path base = Files.createDirectories(dir.resolve("base"));
            Files.createSymbolicLink(base.resolve("python3"), Path.of("/usr/bin/python3"));
            run(base.resolve("python3").toString(), "-m", "venv", "--without-pip", dir.resolve("venv").toString());
            Files.delete(base.resolve("python3")); // the venv's base interpreter is removed
            cases.put("brokenVenv", new Case("brokenVenv", dir.resolve("venv/bin/python"), "is a broken link to"));

            Path hangs = dir.resolve("python-hangs");
            Files.writeString(hangs, "#!/bin/sh\nsleep 600\n");
            Files.setPosixFilePermissions(hangs, PosixFilePermissions.fromString("rwx------"));
            cases.put("hangs", new Case("hangs", hangs, "did not answer within"));
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pyenv(Map<String, Case> cases, String name, String version, String binary, String says) {
        Path python = PYENV.resolve(version).resolve("bin").resolve(binary);
        if (Files.isExecutable(python)) cases.put(name, new Case(name, python, says));
    }

    private static void run(String... command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).inheritIO().start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", command) + " failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
