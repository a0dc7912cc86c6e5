package io.nonativeleak.it.docs;

import static io.nonativeleak.it.docs.Docs.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Shell commands (and {@code mvn} lines in output): real goals, properties and scripts; output lines quote real sources. */
class CommandSamplesTest {
    static final Set<String> PHASES = Set.of("validate", "initialize", "generate-sources", "process-sources",
            "generate-resources", "process-resources", "compile", "process-classes", "generate-test-sources",
            "process-test-sources", "generate-test-resources", "process-test-resources", "test-compile",
            "process-test-classes", "test", "prepare-package", "package", "pre-integration-test", "integration-test",
            "post-integration-test", "verify", "install", "deploy", "pre-clean", "clean", "post-clean", "pre-site", "site",
            "post-site", "site-deploy");
    static final Set<String> MAVEN_OPTIONS_WITH_ARGUMENT = Set.of("-pl", "--projects", "-T", "--threads", "-f", "--file",
            "-s", "--settings", "-gs", "--global-settings", "-P", "--activate-profiles", "-rf", "--resume-from", "-l",
            "--log-file", "-t", "--toolchains", "-b", "--builder", "-D");
    static final Pattern PY_FRAME = Pattern.compile("^(?:\\[\\w+]\\s*)?\\s*(\\S+\\.py):(\\d+) in (\\S+)\\s*$");

    @TestFactory
    Stream<DynamicTest> commandsUseRealGoalsPropertiesAndFiles() {
        return eachBlock(allBlocks().stream().filter(b -> Set.of("bash", "sh", "console", "text", "").contains(b.language())),
                CommandSamplesTest::checkCommands);
    }

    static void checkCommands(Block b) {
        Path cwd = null; // unknown until a cd into the repository: commands run in the reader's own project
        List<String> lines = b.lines();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String stripped = line.strip();
            boolean command = switch (b.language()) {
                case "bash", "sh" -> !stripped.isEmpty() && !stripped.startsWith("#");
                case "console" -> stripped.startsWith("$ ");
                default -> stripped.startsWith("mvn ") || stripped.startsWith("$ mvn ");
            };
            if (!command) {
                checkOutputLine(b, lines, i);
                continue;
            }
            StringBuilder full = new StringBuilder(stripped.startsWith("$ ") ? stripped.substring(2) : stripped);
            while (full.toString().endsWith("\\") && i + 1 < lines.size()) {
                full.setLength(full.length() - 1);
                full.append(' ').append(lines.get(++i).strip());
            }
            for (List<String> words : commands(shellWords(full.toString()))) cwd = checkCommand(b, words, cwd);
        }
    }

    static Path checkCommand(Block b, List<String> words, Path cwd) {
        int first = 0;
        while (first < words.size() && words.get(first).matches("[A-Za-z_][A-Za-z0-9_]*=.*")) first++;
        if (first == words.size()) return cwd;
        String program = words.get(first);
        List<String> args = words.subList(first + 1, words.size());
        if (program.equals("cd")) {
            if (args.isEmpty()) return null;
            Path base = cwd != null ? cwd : ROOT;
            Path target = base.resolve(args.get(0)).normalize();
            return Files.isDirectory(target) && target.startsWith(ROOT) ? target : null;
        }
        if (program.equals("mvn")) checkMaven(b, args, cwd);
        if (Path.of(program).getFileName().toString().matches("python[0-9.]*") && cwd != null && !args.isEmpty() && !args.get(0).startsWith("-")
                && !args.get(0).startsWith("target/"))
            assertThat(cwd.resolve(args.get(0))).as(b.where() + ": the script " + args.get(0)).exists();
        return cwd;
    }

    static void checkMaven(Block b, List<String> args, Path cwd) {
        Set<String> invoked = new LinkedHashSet<>();
        boolean lifecycle = false;
        Map<String, String> properties = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("-D")) {
                String property = a.length() == 2 && i + 1 < args.size() ? args.get(++i) : a.substring(2);
                int eq = property.indexOf('=');
                properties.put(eq < 0 ? property : property.substring(0, eq), eq < 0 ? "true" : property.substring(eq + 1));
            } else if (MAVEN_OPTIONS_WITH_ARGUMENT.contains(a)) {
                i++;
            } else if (a.startsWith("-")) {
                continue;
            } else if (a.contains(":")) {
                String[] parts = a.split(":");
                if (parts.length == 2 && parts[0].equals("nonativeleak")) {
                    invoked.add(parts[1]);
                } else if (parts[0].equals("io.nonativeleak")) {
                    assertThat(parts[1]).as(b.where() + ": " + a).isEqualTo("nonativeleak-maven-plugin");
                    if (parts.length == 4) assertThat(parts[2]).as(b.where() + ": version in " + a).isEqualTo(pluginVersion);
                    invoked.add(parts[parts.length - 1]);
                }
            } else {
                assertThat(PHASES).as(b.where() + ": '" + a + "' is not a lifecycle phase").contains(a);
                lifecycle = true;
            }
        }
        for (String goal : invoked) assertThat(goals).as(b.where() + ": goal " + goal).containsKey(goal);
        Set<String> allowed = new TreeSet<>();
        for (String goal : invoked) goals.get(goal).values().forEach(p -> { if (p.property() != null) allowed.add(p.property()); });
        if (lifecycle) {
            for (String goal : List.of("check", "report")) goals.get(goal).values().forEach(p -> { if (p.property() != null) allowed.add(p.property()); });
            allowed.addAll(junitKeys);
            allowed.addAll(pomProperties);
        }
        for (Map.Entry<String, String> p : properties.entrySet()) {
            if (!p.getKey().startsWith("nonativeleak.")) continue;
            assertThat(allowed).as(b.where() + ": -D" + p.getKey() + " is not a property of " + invoked + (lifecycle ? " or of the build" : "")).contains(p.getKey());
            if (p.getKey().equals("nonativeleak.patterns")) for (String pattern : p.getValue().split(";")) checkPattern(b, pattern.strip());
            if (p.getKey().equals("nonativeleak.script") && cwd != null && !p.getValue().startsWith("target/"))
                assertThat(cwd.resolve(p.getValue())).as(b.where() + ": the script of -Dnonativeleak.script").exists();
        }
    }

    /** Output lines: suggested patterns parse, and a quoted Python frame of a repository file is followed by its real source. */
    static void checkOutputLine(Block b, List<String> lines, int i) {
        String line = withoutLogLevel(lines.get(i));
        if (line.startsWith("suggested pattern: ") && !line.startsWith("suggested pattern: none")) checkPattern(b, line.substring("suggested pattern: ".length()));
        Matcher frame = PY_FRAME.matcher(lines.get(i));
        if (!frame.matches() || Path.of(frame.group(1)).isAbsolute() || i + 1 >= lines.size()) return;
        Path source = Stream.of(ROOT.resolve(frame.group(1)), ROOT.resolve("examples/numba-case-study").resolve(frame.group(1)))
                .filter(Files::isRegularFile).findFirst().orElse(null);
        String next = withoutLogLevel(lines.get(i + 1));
        if (source == null || PY_FRAME.matcher(lines.get(i + 1)).matches() || next.startsWith("[...]") || next.isEmpty()) return;
        try {
            List<String> real = Files.readAllLines(source);
            int n = Integer.parseInt(frame.group(2));
            assertThat(n).as(b.where() + ": " + frame.group(1) + " has no line " + n).isBetween(1, real.size());
            assertThat(next).as(b.where() + ": line " + n + " of " + frame.group(1)).isEqualTo(real.get(n - 1).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> shellWords(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                else if (c == '\\' && quote == '"' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) word.append(line.charAt(++i));
                else word.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '#' && !inWord) {
                break;
            } else if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) out.add(word.toString());
                word.setLength(0);
                inWord = false;
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) out.add(word.toString());
        return out;
    }

    static List<List<String>> commands(List<String> words) {
        List<List<String>> out = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String w : words) {
            if (Set.of("&&", "||", ";", "|").contains(w)) {
                out.add(current);
                current = new ArrayList<>();
            } else {
                current.add(w);
            }
        }
        out.add(current);
        return out;
    }
}
