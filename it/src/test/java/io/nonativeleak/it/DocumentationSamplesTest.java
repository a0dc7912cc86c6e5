package io.nonativeleak.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nonativeleak.junit.FixtureRun;
import io.nonativeleak.junit.NoNativeLeak;
import io.nonativeleak.junit.PythonFixture;
import io.nonativeleak.shim.InvalidPatternException;
import io.nonativeleak.shim.Shim;
import io.nonativeleak.shim.report.RunReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Every command and code sample in {@code README.md} and {@code docs/*.md}, exercised against the code, so that a
 * renamed attribute, goal, parameter, property, report field or file breaks the build instead of the docs.
 *
 * <h2>Conventions for fenced blocks (the info string after the opening fence)</h2>
 * <table>
 * <caption>info strings</caption>
 * <tr><th>info string</th><th>what the block holds</th><th>how it is checked</th></tr>
 * <tr><td>{@code java}</td><td>a compilation unit (a class, an annotation type...)</td><td>compiled with
 *     {@code javax.tools.JavaCompiler} against this module's test class path; a block without {@code import}
 *     lines gets the {@link #DEFAULT_IMPORTS}. Pattern strings in {@code patterns =}, {@code ignore =},
 *     {@code withPatterns(...)} and {@code withIgnore(...)} are parsed by the shim.</td></tr>
 * <tr><td>{@code java fragment}</td><td>statements</td><td>compiled as the body of
 *     {@code void sample(PythonFixture python) throws Exception} in a class with the default imports</td></tr>
 * <tr><td>{@code xml}</td><td>a {@code <plugin>}, {@code <dependency>}, {@code <project>}, {@code <configuration>}
 *     or {@code <fixtures>}</td><td>well-formed; for NoNativeLeak's plugin every goal and every configuration element
 *     must exist in the plugin descriptor ({@code META-INF/maven/plugin.xml}) and be editable, every
 *     {@code <fixture>} element must be a property of {@code io.nonativeleak.maven.Fixture}, every
 *     {@code <pattern>} must parse; NoNativeLeak dependencies must name a real artifact and this version</td></tr>
 * <tr><td>{@code bash}, {@code sh}</td><td>commands</td><td>{@code mvn} lines: goals of the plugin are real, every
 *     {@code -Dnonativeleak.*} property is a user property of an invoked goal (or, for lifecycle builds, of
 *     {@code check}/{@code report}, a JUnit configuration key or a property of the project's POMs), patterns parse,
 *     the version is this one; after a {@code cd} into the repository, scripts given to Python or to
 *     {@code -Dnonativeleak.script} exist</td></tr>
 * <tr><td>{@code console}</td><td>{@code $ }-prefixed commands and their output</td><td>the commands as
 *     {@code bash}</td></tr>
 * <tr><td>{@code text} (or none)</td><td>output</td><td>{@code mvn} command lines in it as {@code bash};
 *     {@code suggested pattern:} lines parse; every quoted Python frame {@code FILE.py:LINE in FUNCTION} of a file of
 *     the repository (or of {@code examples/numba-case-study}) is followed by that line's real source</td></tr>
 * <tr><td>{@code pattern}</td><td>one stack pattern per line ({@code #} starts a comment line)</td><td>accepted by
 *     {@code Shim.load().checkPattern}</td></tr>
 * <tr><td>{@code pattern invalid}</td><td>one pattern per line, optionally followed by two spaces, {@code #} and the
 *     expected reason</td><td>rejected by the shim, with that reason</td></tr>
 * <tr><td>{@code python}</td><td>Python source</td><td>compiled with {@code python3 -m py_compile}</td></tr>
 * <tr><td>{@code python excerpt=PATH}</td><td>lines quoted from the repository file PATH</td><td>compiled, and
 *     every non-blank line found in PATH, in order</td></tr>
 * <tr><td>{@code properties}</td><td>{@code junit-platform.properties}</td><td>every {@code nonativeleak.*} key is a
 *     JUnit configuration key of the extension; pattern values parse</td></tr>
 * <tr><td>{@code json}</td><td>a report or a part of one</td><td>a whole report (it has {@code schemaVersion}) is read
 *     strictly into {@code RunReport}, has every field a report always has and no other, and is compared with a
 *     report the extension writes for a real run; a part must use field paths of the report</td></tr>
 * </table>
 * Any other info string fails the test: a new kind of sample needs a check here first.
 *
 * <h2>Checks over the whole text</h2>
 * Relative links and their {@code #anchors} resolve; repository paths ({@code scripts/...}, {@code examples/...},
 * {@code native-shim/...}, ...) exist; every {@code nonativeleak.NAME} property name is real; the Maven parameter
 * tables ({@code | parameter | user property | default |}) match the descriptor; the settings table of
 * getting-started.md matches {@code @NoNativeLeak}, {@code PythonFixture}, the {@code check} goal and the JUnit keys,
 * and lists every attribute; the allocator-wrapper list of patterns.md (between {@code <!-- wrappers -->} markers) is
 * the shim's ({@code symbols.c}).
 */
class DocumentationSamplesTest {
    static final Path ROOT = repositoryRoot();
    static final String DEFAULT_IMPORTS = """
            import static io.nonativeleak.junit.NativeLeakAssertions.assertThat;

            import io.nonativeleak.junit.*;
            import io.nonativeleak.shim.report.*;
            import java.nio.file.*;
            import java.util.*;
            import org.junit.jupiter.api.*;
            """;
    static final Set<String> LANGUAGES = Set.of("java", "xml", "bash", "sh", "console", "text", "", "pattern", "python",
            "properties", "json", "yaml", "markdown");
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
    static final Pattern REPO_PATH = Pattern.compile(
            "(?<![\\w./$-])((?:scripts|examples|native-shim|junit-extension|maven-plugin|it|docs|bench|\\.ci)/[\\w./-]*)");
    // not after =" either: the test report's suite and class names (name="nonativeleak.<execution id>") are no properties
    static final Pattern PROPERTY_NAME = Pattern.compile("(?:(?<=-D)|(?<![\\w./-])(?<!=\"))nonativeleak\\.([A-Za-z][\\w.]*[A-Za-z0-9])");
    static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)\\)");

    record Block(Path file, int line, String language, Set<String> flags, Map<String, String> attributes, String text) {
        String where() {
            return ROOT.relativize(file) + ":" + line + " (```" + language + (flags.isEmpty() ? "" : " " + String.join(" ", flags))
                    + attributes.entrySet().stream().map(e -> " " + e.getKey() + "=" + e.getValue()).collect(Collectors.joining()) + ")";
        }

        List<String> lines() {
            return text.lines().toList();
        }
    }

    record Param(String name, boolean editable, String property, String defaultValue) {}

    record Doc(Path file, List<String> lines, List<Block> blocks, Set<String> anchors) {}

    static List<Doc> docs;
    static Map<String, Map<String, Param>> goals;
    static String pluginVersion;
    static Set<String> junitKeys;
    static Set<String> pomProperties;
    static Set<String> knownPropertyNames;
    static Shim shim;

    @BeforeAll
    static void readDocsAndDescriptors() throws Exception {
        assertThat(ROOT.resolve("README.md")).exists();
        docs = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        files.add(ROOT.resolve("README.md"));
        try (Stream<Path> md = Files.list(ROOT.resolve("docs"))) {
            md.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        for (Path file : files) docs.add(parse(file));
        readPluginDescriptor();
        junitKeys = junitConfigurationKeys();
        pomProperties = projectProperties();
        knownPropertyNames = new TreeSet<>(junitKeys);
        goals.values().forEach(ps -> ps.values().stream().map(Param::property)
                .filter(p -> p != null && p.startsWith("nonativeleak.")).forEach(knownPropertyNames::add));
        knownPropertyNames.add(Shim.LIBRARY_PROPERTY);
        knownPropertyNames.add(Shim.TMPDIR_PROPERTY);
        knownPropertyNames.addAll(pomProperties);
        shim = Shim.load();
    }

    // ---- the blocks ----

    @Test
    void everyBlockHasAKnownInfoString() {
        List<String> unknown = new ArrayList<>();
        for (Block b : allBlocks()) {
            boolean known = LANGUAGES.contains(b.language())
                    && switch (b.language()) {
                        case "java" -> Set.of("fragment").containsAll(b.flags()) && b.attributes().isEmpty();
                        case "pattern" -> Set.of("invalid").containsAll(b.flags()) && b.attributes().isEmpty();
                        case "python" -> b.flags().isEmpty() && Set.of("excerpt").containsAll(b.attributes().keySet());
                        default -> b.flags().isEmpty() && b.attributes().isEmpty();
                    };
            if (!known) unknown.add(b.where());
        }
        assertThat(unknown).as("blocks whose info string this test cannot check (see its Javadoc for the conventions)").isEmpty();
    }

    @TestFactory
    Stream<DynamicTest> javaSamplesCompile() {
        return blocks("java").map(b -> DynamicTest.dynamicTest(b.where(), () -> {
            compile(b);
            for (String pattern : javaPatternLiterals(b.text())) checkPattern(b, pattern);
        }));
    }

    @TestFactory
    Stream<DynamicTest> xmlSamplesUseRealGoalsAndParameters() {
        return blocks("xml").map(b -> DynamicTest.dynamicTest(b.where(), () -> checkXml(b)));
    }

    @TestFactory
    Stream<DynamicTest> commandsUseRealGoalsPropertiesAndFiles() {
        return allBlocks().stream().filter(b -> Set.of("bash", "sh", "console", "text", "").contains(b.language()))
                .map(b -> DynamicTest.dynamicTest(b.where(), () -> checkCommands(b)));
    }

    @TestFactory
    Stream<DynamicTest> patternsAreAcceptedOrRejectedAsDocumented() {
        return blocks("pattern").map(b -> DynamicTest.dynamicTest(b.where(), () -> {
            int checked = 0;
            for (String line : b.lines()) {
                if (line.isBlank() || line.strip().startsWith("#")) continue;
                checked++;
                if (b.flags().contains("invalid")) {
                    int comment = line.indexOf("  # ");
                    String pattern = comment < 0 ? line.strip() : line.substring(0, comment).strip();
                    String reason = comment < 0 ? "" : line.substring(comment + 4).strip();
                    assertThatThrownBy(() -> shim.checkPattern(pattern)).as(b.where() + ": '" + pattern + "' must be rejected")
                            .isInstanceOfSatisfying(InvalidPatternException.class, e -> assertThat(e.reason()).contains(reason));
                } else {
                    checkPattern(b, line.strip());
                }
            }
            assertThat(checked).as(b.where() + " holds no pattern").isPositive();
        }));
    }

    @TestFactory
    Stream<DynamicTest> pythonSamplesCompileAndQuoteTheirSources() {
        return blocks("python").map(b -> DynamicTest.dynamicTest(b.where(), () -> {
            Path dir = Files.createDirectories(ROOT.resolve("it/target/doc-samples"));
            Path file = Files.createTempFile(dir, "sample", ".py");
            Files.writeString(file, b.text());
            Process p = new ProcessBuilder("python3", "-m", "py_compile", file.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(b.where() + " does not compile:\n" + out).isZero();
            String excerpt = b.attributes().get("excerpt");
            if (excerpt != null) {
                Path source = ROOT.resolve(excerpt);
                assertThat(source).as(b.where()).exists();
                List<String> lines = Files.readAllLines(source);
                int at = 0;
                for (String quoted : b.lines()) {
                    if (quoted.isBlank()) continue;
                    while (at < lines.size() && !lines.get(at).equals(quoted)) at++;
                    if (at == lines.size()) fail(b.where() + ": '" + quoted + "' is not in " + excerpt + " (in this order)");
                    at++;
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> propertiesUseRealConfigurationKeys() {
        return blocks("properties").map(b -> DynamicTest.dynamicTest(b.where(), () -> {
            for (String line : b.lines()) {
                if (line.isBlank() || line.strip().startsWith("#")) continue;
                int eq = line.indexOf('=');
                assertThat(eq).as(b.where() + ": not key=value: " + line).isPositive();
                String key = line.substring(0, eq).strip();
                String value = line.substring(eq + 1).strip();
                if (key.startsWith("junit.")) continue;
                assertThat(junitKeys).as(b.where() + ": " + key + " is not a configuration key of the JUnit extension").contains(key);
                if (key.equals("nonativeleak.patterns") || key.equals("nonativeleak.ignore"))
                    for (String p : value.split(";")) if (!p.isBlank()) checkPattern(b, p.strip());
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> jsonSamplesUseTheReportsFields() {
        return blocks("json").map(b -> DynamicTest.dynamicTest(b.where(), () -> {
            JsonNode node = new ObjectMapper().readTree(b.text());
            Set<String> all = new TreeSet<>(), required = new TreeSet<>();
            schema(RunReport.class, "", false, all, required);
            Set<String> paths = new TreeSet<>();
            jsonPaths(node, "", paths);
            if (node.has("schemaVersion")) {
                new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(b.text(), RunReport.class);
                assertThat(all).as(b.where() + ": fields that RunReport does not have").containsAll(paths);
                assertThat(paths).as(b.where() + ": fields every report has").containsAll(required);
            } else {
                for (String p : paths)
                    assertThat(all.stream().anyMatch(s -> s.equals(p) || s.endsWith("." + p)))
                            .as(b.where() + ": " + p + " is not a field of a report").isTrue();
            }
        }));
    }

    /** The example of reports.md against a report the extension wrote for a real run: same fields. */
    @Test
    @NoNativeLeak(warmup = 1)
    void theReportExampleHasTheFieldsOfARealReport(PythonFixture python, @TempDir Path dir) throws IOException {
        Path script = dir.resolve("keeps_blocks.py");
        Files.writeString(script, """
                import ctypes

                libc = ctypes.CDLL(None)
                libc.malloc.restype = ctypes.c_void_p
                libc.malloc.argtypes = [ctypes.c_size_t]
                kept = [libc.malloc(4096) for _ in range(4)]
                """);
        FixtureRun run = python.probe(script.toString());
        assertThat(run.sites()).as(run.summary()).isNotEmpty();
        JsonNode real = new ObjectMapper().readTree(run.reportFile().toFile());
        Set<String> realPaths = new TreeSet<>();
        jsonPaths(real, "", realPaths);
        Set<String> all = new TreeSet<>(), required = new TreeSet<>();
        schema(RunReport.class, "", false, all, required);
        assertThat(all).as("the record schema covers what ReportJson writes").containsAll(realPaths);
        assertThat(realPaths).as("a real report has every always-present field").containsAll(required);

        Block example = blocks("json").filter(b -> b.file().endsWith("reports.md") && b.text().contains("schemaVersion"))
                .findFirst().orElseThrow(() -> new AssertionError("reports.md has no JSON report example"));
        Set<String> docPaths = new TreeSet<>();
        jsonPaths(new ObjectMapper().readTree(example.text()), "", docPaths);
        Set<String> optional = new TreeSet<>(all);
        optional.removeAll(required);
        Set<String> missing = new TreeSet<>(realPaths);
        missing.removeAll(docPaths);
        missing.removeAll(optional);
        assertThat(missing).as(example.where() + " lacks fields of a real report").isEmpty();
        Set<String> extra = new TreeSet<>(docPaths);
        extra.removeAll(realPaths);
        extra.removeAll(optional);
        assertThat(extra).as(example.where() + " has fields a real report does not").isEmpty();
    }

    // ---- the whole text ----

    @Test
    void linksAndAnchorsResolve() {
        List<String> broken = new ArrayList<>();
        for (Doc doc : docs) {
            for (int i = 0; i < doc.lines().size(); i++) {
                if (insideBlock(doc, i)) continue;
                Matcher m = LINK.matcher(doc.lines().get(i));
                while (m.find()) {
                    String target = m.group(1);
                    if (target.matches("^[a-z]+:.*")) continue;
                    String path = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                    String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
                    Path resolved = path.isEmpty() ? doc.file() : doc.file().getParent().resolve(path).normalize();
                    String where = ROOT.relativize(doc.file()) + ":" + (i + 1) + ": " + target;
                    if (!Files.exists(resolved)) {
                        broken.add(where + " (no such file)");
                    } else if (anchor != null) {
                        Doc other = docs.stream().filter(d -> d.file().equals(resolved)).findFirst().orElse(null);
                        if (other == null || !other.anchors().contains(anchor)) broken.add(where + " (no such heading)");
                    }
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    @Test
    void repositoryPathsExist() {
        List<String> missing = new ArrayList<>();
        for (Doc doc : docs) {
            for (int i = 0; i < doc.lines().size(); i++) {
                String line = doc.lines().get(i);
                Matcher m = REPO_PATH.matcher(line);
                while (m.find()) {
                    String path = m.group(1).replaceAll("[./]+$", "");
                    int end = m.end();
                    if (end < line.length() && "*<{$".indexOf(line.charAt(end)) >= 0) continue; // a glob or a placeholder
                    if (!Files.exists(ROOT.resolve(path))) missing.add(ROOT.relativize(doc.file()) + ":" + (i + 1) + ": " + path);
                }
            }
        }
        assertThat(missing).isEmpty();
    }

    @Test
    void propertyNamesAreReal() {
        List<String> unknown = new ArrayList<>();
        for (Doc doc : docs) {
            for (int i = 0; i < doc.lines().size(); i++) {
                Matcher m = PROPERTY_NAME.matcher(doc.lines().get(i));
                while (m.find()) {
                    String name = "nonativeleak." + m.group(1);
                    if (!knownPropertyNames.contains(name)) unknown.add(ROOT.relativize(doc.file()) + ":" + (i + 1) + ": " + name);
                }
            }
        }
        assertThat(unknown).as("known: " + knownPropertyNames).isEmpty();
    }

    @Test
    void mavenParameterTablesMatchThePluginDescriptor() {
        int tables = 0;
        for (Doc doc : docs) {
            String goal = null;
            for (int i = 0; i < doc.lines().size(); i++) {
                String line = doc.lines().get(i);
                if (insideBlock(doc, i)) continue;
                if (line.startsWith("#")) goal = goalNamedIn(line);
                List<String> header = cells(line);
                if (header.size() < 3 || !header.get(0).equals("parameter") || !header.get(1).equals("user property")) continue;
                tables++;
                String where = ROOT.relativize(doc.file()) + ":" + (i + 1);
                assertThat(goal).as(where + ": a parameter table must follow a heading that names its goal").isNotNull();
                Map<String, Param> params = goals.get(goal);
                for (int r = i + 2; r < doc.lines().size() && doc.lines().get(r).startsWith("|"); r++) {
                    List<String> row = cells(doc.lines().get(r));
                    String rowWhere = ROOT.relativize(doc.file()) + ":" + (r + 1);
                    Param p = params.get(row.get(0));
                    assertThat(p).as(rowWhere + ": " + row.get(0) + " is not a parameter of " + goal).isNotNull();
                    assertThat(p.editable()).as(rowWhere + ": " + row.get(0) + " is read-only").isTrue();
                    assertThat(row.get(1).isEmpty() ? null : row.get(1)).as(rowWhere + ": user property of " + row.get(0)).isEqualTo(p.property());
                    if (row.get(2).matches("\\d+|true|false"))
                        assertThat(row.get(2)).as(rowWhere + ": default of " + row.get(0)).isEqualTo(p.defaultValue());
                }
            }
        }
        assertThat(tables).as("maven.md's parameter tables").isGreaterThanOrEqualTo(3);
    }

    @Test
    void theSettingsTableMatchesTheCode() throws Exception {
        Doc doc = docs.stream().filter(d -> d.file().endsWith("getting-started.md")).findFirst().orElseThrow();
        int header = -1;
        for (int i = 0; i < doc.lines().size(); i++) if (!cells(doc.lines().get(i)).isEmpty() && cells(doc.lines().get(i)).get(0).equals("@NoNativeLeak")) header = i;
        assertThat(header).as("getting-started.md's settings table").isNotNegative();
        assertThat(cells(doc.lines().get(header))).containsExactly("@NoNativeLeak", "PythonFixture", "check parameter", "JUnit configuration key", "default");
        Set<String> attributes = new TreeSet<>();
        for (int r = header + 2; r < doc.lines().size() && doc.lines().get(r).startsWith("|"); r++) {
            List<String> row = cells(doc.lines().get(r));
            String where = "getting-started.md:" + (r + 1) + ": ";
            Method attribute = NoNativeLeak.class.getDeclaredMethod(row.get(0));
            attributes.add(row.get(0));
            assertThat(Arrays.stream(PythonFixture.class.getMethods()).map(Method::getName)).as(where + "PythonFixture." + row.get(1)).contains(row.get(1));
            assertThat(goals.get("check")).as(where + "check parameter").containsKey(row.get(2));
            assertThat(Arrays.stream(Class.forName("io.nonativeleak.maven.Fixture").getDeclaredFields()).map(Field::getName))
                    .as(where + "<fixture> element").contains(row.get(2));
            assertThat(junitKeys).as(where + "JUnit key").contains(row.get(3));
            if (row.get(4).matches("\\d+|true|false")) {
                assertThat(String.valueOf(attribute.getDefaultValue())).as(where + "annotation default").isEqualTo(row.get(4));
                assertThat(goals.get("check").get(row.get(2)).defaultValue()).as(where + "check default").isEqualTo(row.get(4));
            }
        }
        assertThat(attributes).as("every @NoNativeLeak attribute is in the table")
                .isEqualTo(Arrays.stream(NoNativeLeak.class.getDeclaredMethods()).map(Method::getName).collect(Collectors.toCollection(TreeSet::new)));
    }

    @Test
    void theWrapperListIsTheShims() throws IOException {
        Doc doc = docs.stream().filter(d -> d.file().endsWith("patterns.md")).findFirst().orElseThrow();
        int start = doc.lines().indexOf("<!-- wrappers -->"), end = doc.lines().indexOf("<!-- /wrappers -->");
        assertThat(start).as("patterns.md has a <!-- wrappers --> list").isNotNegative();
        Set<String> documented = new TreeSet<>();
        for (String line : doc.lines().subList(start + 1, end)) {
            String head = line.contains(" (") ? line.substring(0, line.indexOf(" (")) : line;
            Matcher m = Pattern.compile("`([^`]+)`").matcher(head);
            while (m.find()) documented.add(m.group(1));
        }
        String symbols = Files.readString(ROOT.resolve("native-shim/src/main/c/symbols.c"));
        Set<String> actual = new TreeSet<>(stringsOf(symbols, "wrapper_names"));
        stringsOf(symbols, "wrapper_prefixes").forEach(p -> actual.add(p + "*"));
        assertThat(actual).as("symbols.c's wrapper lists").isNotEmpty();
        assertThat(documented).isEqualTo(actual);
    }

    // ---- checks of one block ----

    static void compile(Block b) throws IOException {
        String source = b.text();
        if (b.flags().contains("fragment")) {
            source = DEFAULT_IMPORTS + "\nclass DocFragment {\n    void sample(PythonFixture python) throws Exception {\n"
                    + source + "\n    }\n}\n";
        } else if (!Pattern.compile("(?m)^import ").matcher(source).find()) {
            Matcher pkg = Pattern.compile("(?m)^package [\\w.]+;\\s*$").matcher(source);
            source = pkg.find() ? source.substring(0, pkg.end()) + "\n" + DEFAULT_IMPORTS + source.substring(pkg.end())
                    : DEFAULT_IMPORTS + "\n" + source;
        }
        Matcher type = Pattern.compile("(?m)^(public\\s+)?(?:(?:final|abstract)\\s+)*(?:class|interface|@interface|record|enum)\\s+(\\w+)").matcher(source);
        String name = "DocFragment";
        while (type.find()) {
            if (type.group(1) != null || name.equals("DocFragment")) name = type.group(2);
            if (type.group(1) != null) break;
        }
        Path dir = Files.createTempDirectory(Files.createDirectories(ROOT.resolve("it/target/doc-samples")), "java");
        Path file = dir.resolve(name + ".java");
        Files.writeString(file, source);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        boolean ok;
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            ok = javac.getTask(null, files, diagnostics, List.of("-classpath", testClassPath(), "-d", classes.toString(), "-proc:none"),
                    null, files.getJavaFileObjects(file)).call();
        }
        String messages = diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> "line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT)).collect(Collectors.joining("\n"));
        assertThat(ok).as(b.where() + " does not compile (" + file + "):\n" + messages).isTrue();
    }

    static List<String> javaPatternLiterals(String java) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?:\\b(?:patterns|ignore)\\s*=\\s*(\\{[^}]*}|\"(?:[^\"\\\\]|\\\\.)*\")|\\bwith(?:Patterns|Ignore)\\(([^)]*)\\))").matcher(java);
        while (m.find()) {
            String arguments = m.group(1) != null ? m.group(1) : m.group(2);
            Matcher literal = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(arguments);
            while (literal.find()) out.add(literal.group(1).replaceAll("\\\\(.)", "$1"));
        }
        return out;
    }

    static void checkXml(Block b) throws Exception {
        Document document = parseXml(b);
        Element root = document.getDocumentElement();
        int checked = 0;
        for (Element e : descendants(root)) {
            if (e.getTagName().equals("plugin") && "nonativeleak-maven-plugin".equals(childText(e, "artifactId"))) {
                checkPlugin(b, e);
                checked++;
            } else if (e.getTagName().equals("dependency") && "io.nonativeleak".equals(childText(e, "groupId"))) {
                assertThat(childText(e, "artifactId")).as(b.where()).isIn("nonativeleak-junit", "nonativeleak-shim", "nonativeleak-maven-plugin");
                assertThat(childText(e, "version")).as(b.where() + ": version").isEqualTo(pluginVersion);
                checked++;
            }
        }
        for (Element top : root.getTagName().equals("doc-sample") ? children(root) : List.of(root)) {
            if (top.getTagName().equals("configuration")) {
                checkConfiguration(b, top, goals.keySet());
                checked++;
            } else if (top.getTagName().equals("fixtures")) {
                checkFixtures(b, top);
                checked++;
            }
        }
        if (checked == 0 && b.text().contains("nonativeleak"))
            fail(b.where() + ": an XML sample about NoNativeLeak must be a <plugin>, <dependency>, <project>, <configuration> or <fixtures>");
    }

    static void checkPlugin(Block b, Element plugin) {
        assertThat(childText(plugin, "groupId")).as(b.where() + ": groupId").isEqualTo("io.nonativeleak");
        String version = childText(plugin, "version");
        if (version != null && !version.startsWith("${")) assertThat(version).as(b.where() + ": plugin version").isEqualTo(pluginVersion);
        Set<String> pluginGoals = new LinkedHashSet<>();
        Element executions = child(plugin, "executions");
        if (executions != null) {
            for (Element execution : children(executions)) {
                Set<String> executionGoals = new LinkedHashSet<>();
                Element goalList = child(execution, "goals");
                if (goalList != null) for (Element goal : children(goalList)) executionGoals.add(goal.getTextContent().strip());
                for (String goal : executionGoals) assertThat(goals).as(b.where() + ": goal").containsKey(goal);
                pluginGoals.addAll(executionGoals);
                Element configuration = child(execution, "configuration");
                if (configuration != null) checkConfiguration(b, configuration, executionGoals.isEmpty() ? goals.keySet() : executionGoals);
            }
        }
        Element configuration = child(plugin, "configuration");
        if (configuration != null) checkConfiguration(b, configuration, pluginGoals.isEmpty() ? goals.keySet() : pluginGoals);
    }

    static void checkConfiguration(Block b, Element configuration, Set<String> inGoals) {
        for (Element parameter : children(configuration)) {
            String name = parameter.getTagName();
            List<Param> found = inGoals.stream().map(g -> goals.get(g).get(name)).filter(p -> p != null).toList();
            assertThat(found).as(b.where() + ": <" + name + "> is not a parameter of " + inGoals).isNotEmpty();
            assertThat(found.stream().anyMatch(Param::editable)).as(b.where() + ": <" + name + "> is read-only").isTrue();
            if (name.equals("fixtures")) checkFixtures(b, parameter);
            if (name.equals("patterns") || name.equals("ignore")) for (Element p : children(parameter)) checkPattern(b, p.getTextContent().strip());
            if (name.equals("discoverPatterns")) for (String p : parameter.getTextContent().split(";")) checkPattern(b, p.strip());
        }
    }

    static void checkFixtures(Block b, Element fixtures) {
        Set<String> properties = new TreeSet<>();
        try {
            for (Field f : Class.forName("io.nonativeleak.maven.Fixture").getDeclaredFields())
                if (!Modifier.isStatic(f.getModifiers())) properties.add(f.getName());
        } catch (ClassNotFoundException e) {
            throw new AssertionError("the Maven plugin is not on the test class path", e);
        }
        for (Element fixture : children(fixtures)) {
            assertThat(fixture.getTagName()).as(b.where()).isEqualTo("fixture");
            Set<String> used = new TreeSet<>();
            for (Element element : children(fixture)) {
                used.add(element.getTagName());
                assertThat(properties).as(b.where() + ": <" + element.getTagName() + "> in a <fixture>").contains(element.getTagName());
                if (element.getTagName().equals("patterns") || element.getTagName().equals("ignore"))
                    for (Element p : children(element)) checkPattern(b, p.getTextContent().strip());
            }
            assertThat(used.contains("script") || used.contains("call")).as(b.where() + ": a <fixture> needs a <script> or a <call>").isTrue();
        }
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

    static void checkPattern(Block b, String pattern) {
        try {
            shim.checkPattern(pattern);
        } catch (InvalidPatternException e) {
            fail(b.where() + ": " + e.getMessage());
        }
    }

    // ---- reading ----

    static Path repositoryRoot() {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().normalize();
        return Files.exists(module.resolve("README.md")) ? module : module.getParent();
    }

    static Doc parse(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<Block> blocks = new ArrayList<>();
        Set<String> anchors = new LinkedHashSet<>();
        boolean inside = false;
        int start = 0, indent = 0;
        String info = "";
        List<String> text = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String stripped = line.strip();
            if (!inside && stripped.startsWith("```")) {
                inside = true;
                info = stripped.substring(3).strip();
                start = i + 1;
                indent = line.indexOf("```");
                text.clear();
            } else if (inside && stripped.equals("```")) {
                inside = false;
                blocks.add(block(file, start, info, String.join("\n", text) + "\n"));
            } else if (inside) {
                int cut = 0;
                while (cut < indent && cut < line.length() && line.charAt(cut) == ' ') cut++;
                text.add(line.substring(cut));
            } else if (line.startsWith("#")) {
                anchors.add(slug(line.replaceFirst("^#+\\s*", "")));
            }
        }
        assertThat(inside).as(file + ": a fenced block opened at line " + start + " is never closed").isFalse();
        return new Doc(file, lines, blocks, anchors);
    }

    static Block block(Path file, int line, String info, String text) {
        String[] words = info.isEmpty() ? new String[] {""} : info.split("\\s+");
        Set<String> flags = new TreeSet<>();
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String w : Arrays.copyOfRange(words, 1, words.length)) {
            if (w.contains("=")) attributes.put(w.substring(0, w.indexOf('=')), w.substring(w.indexOf('=') + 1));
            else flags.add(w);
        }
        return new Block(file, line, words[0], flags, attributes, text);
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
    static String slug(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    static boolean insideBlock(Doc doc, int index) {
        boolean inside = false;
        for (int i = 0; i <= index; i++) {
            if (doc.lines().get(i).strip().startsWith("```")) {
                if (i == index) return true;
                inside = !inside;
            }
        }
        return inside;
    }

    static List<Block> allBlocks() {
        return docs.stream().flatMap(d -> d.blocks().stream()).toList();
    }

    static Stream<Block> blocks(String language) {
        return allBlocks().stream().filter(b -> b.language().equals(language));
    }

    static List<String> cells(String line) {
        if (!line.startsWith("|")) return List.of();
        String body = line.strip();
        body = body.substring(1, body.endsWith("|") ? body.length() - 1 : body.length());
        List<String> out = new ArrayList<>();
        for (String cell : body.split("(?<!\\\\)\\|")) out.add(cell.strip().replace("`", "").replace("\\|", "|"));
        return out;
    }

    static String goalNamedIn(String heading) {
        Matcher m = Pattern.compile("`([\\w-]+)`").matcher(heading);
        while (m.find()) if (goals.containsKey(m.group(1))) return m.group(1);
        return null;
    }

    static String withoutLogLevel(String line) {
        return line.replaceFirst("^\\[\\w+]", "").strip();
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

    static Document parseXml(Block b) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try {
            return factory.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(b.text().getBytes(StandardCharsets.UTF_8)));
        } catch (org.xml.sax.SAXException oneRootExpected) {
            String wrapped = "<doc-sample>" + b.text() + "</doc-sample>";
            try {
                return factory.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(wrapped.getBytes(StandardCharsets.UTF_8)));
            } catch (org.xml.sax.SAXException e) {
                throw new AssertionError(b.where() + " is not well-formed XML: " + e.getMessage(), e);
            }
        }
    }

    static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) if (n instanceof Element e) out.add(e);
        return out;
    }

    static List<Element> descendants(Element root) {
        List<Element> out = new ArrayList<>();
        for (Element c : children(root)) {
            out.add(c);
            out.addAll(descendants(c));
        }
        if (root.getParentNode() instanceof Document) out.add(0, root);
        return out;
    }

    static Element child(Element parent, String name) {
        return children(parent).stream().filter(e -> e.getTagName().equals(name)).findFirst().orElse(null);
    }

    static String childText(Element parent, String name) {
        Element c = child(parent, name);
        return c == null ? null : c.getTextContent().strip();
    }

    static void readPluginDescriptor() throws Exception {
        goals = new LinkedHashMap<>();
        List<URL> descriptors = Collections.list(DocumentationSamplesTest.class.getClassLoader().getResources("META-INF/maven/plugin.xml"));
        for (URL url : descriptors) {
            Document d;
            try (InputStream in = url.openStream()) {
                d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
            }
            Element plugin = d.getDocumentElement();
            if (!"nonativeleak".equals(childText(plugin, "goalPrefix"))) continue;
            pluginVersion = childText(plugin, "version");
            for (Element mojo : children(child(plugin, "mojos"))) {
                Map<String, Param> params = new LinkedHashMap<>();
                Map<String, Element> configured = new LinkedHashMap<>();
                Element configuration = child(mojo, "configuration");
                if (configuration != null) for (Element c : children(configuration)) configured.put(c.getTagName(), c);
                for (Element parameter : children(child(mojo, "parameters"))) {
                    String name = childText(parameter, "name");
                    Element c = configured.get(name);
                    String expression = c == null ? "" : c.getTextContent().strip();
                    String property = expression.startsWith("${") ? expression.substring(2, expression.length() - 1) : null;
                    String defaultValue = c == null || !c.hasAttribute("default-value") ? null : c.getAttribute("default-value");
                    params.put(name, new Param(name, "true".equals(childText(parameter, "editable")), property, defaultValue));
                }
                goals.put(childText(mojo, "goal"), params);
            }
        }
        assertThat(goals).as("the nonativeleak plugin descriptor on the test class path").containsKeys("check", "discover", "report");
    }

    static Set<String> junitConfigurationKeys() throws Exception {
        Set<String> keys = new TreeSet<>();
        for (Field f : Class.forName("io.nonativeleak.junit.Settings").getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != String.class || f.getName().equals("PREFIX")) continue;
            f.setAccessible(true);
            keys.add((String) f.get(null));
        }
        assertThat(keys).contains("nonativeleak.patterns");
        return keys;
    }

    /** The nonativeleak.* properties the project's POMs and scripts define or pass: build settings, not user settings. */
    static Set<String> projectProperties() throws IOException {
        Set<String> names = new TreeSet<>();
        Pattern property = Pattern.compile("(?:<|\\$\\{|-D)(nonativeleak\\.[\\w.]+?)(?:>|}|=)");
        Files.walkFileTree(ROOT, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                return !dir.equals(ROOT) && (name.startsWith(".") || name.equals("target") || name.equals("node_modules"))
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String name = file.getFileName().toString();
                if (name.equals("pom.xml") || (name.endsWith(".sh") && file.getParent().endsWith("scripts"))) {
                    Matcher m = property.matcher(Files.readString(file));
                    while (m.find()) names.add(m.group(1));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return names;
    }

    static List<String> stringsOf(String c, String array) {
        Matcher m = Pattern.compile(array + "\\[\\]\\s*=\\s*\\{(.*?)};", Pattern.DOTALL).matcher(c);
        assertThat(m.find()).as("symbols.c declares " + array).isTrue();
        List<String> out = new ArrayList<>();
        Matcher s = Pattern.compile("\"([^\"]*)\"").matcher(m.group(1));
        while (s.find()) out.add(s.group(1));
        return out;
    }

    static String testClassPath() {
        String path = System.getProperty("surefire.test.class.path");
        return path != null && !path.isBlank() ? path : System.getProperty("java.class.path");
    }

    /** The field paths of RunReport as Jackson writes them; optional are those written only when set. */
    static void schema(Class<?> type, String prefix, boolean optionalParent, Set<String> all, Set<String> required) {
        for (RecordComponent rc : type.getRecordComponents()) {
            String path = prefix.isEmpty() ? rc.getName() : prefix + "." + rc.getName();
            JsonInclude include = rc.getAccessor().getAnnotation(JsonInclude.class);
            boolean optional = optionalParent || (include != null && include.value() != JsonInclude.Include.ALWAYS
                    && include.value() != JsonInclude.Include.USE_DEFAULTS);
            all.add(path);
            if (!optional) required.add(path);
            if (List.class.isAssignableFrom(rc.getType())) {
                if (((ParameterizedType) rc.getGenericType()).getActualTypeArguments()[0] instanceof Class<?> element && element.isRecord())
                    schema(element, path + "[]", optional, all, required);
            } else if (rc.getType().isRecord()) {
                schema(rc.getType(), path, optional, all, required);
            }
        }
    }

    static void jsonPaths(JsonNode node, String prefix, Set<String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
                out.add(path);
                jsonPaths(e.getValue(), path, out);
            });
        } else if (node.isArray()) {
            for (JsonNode element : node) jsonPaths(element, prefix + "[]", out);
        }
    }
}
