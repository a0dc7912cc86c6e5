package io.nonativeleak.it.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.nonativeleak.shim.InvalidPatternException;
import io.nonativeleak.shim.Shim;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.function.ThrowingConsumer;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * {@code README.md} and {@code docs/*.md} as the documentation tests read them, and what those tests share: every command
 * and code sample is exercised against the code, one test class per kind of sample, so that a renamed attribute, goal,
 * parameter, property, report field or file breaks the build instead of the docs.
 *
 * <h2>Conventions for fenced blocks (the info string after the opening fence)</h2>
 * <table>
 * <caption>info strings</caption>
 * <tr><th>info string</th><th>what the block holds</th><th>how it is checked</th></tr>
 * <tr><td>{@code java}</td><td>a compilation unit (a class, an annotation type...)</td><td>compiled with
 *     {@code javax.tools.JavaCompiler} against this module's test class path; a block without {@code import}
 *     lines gets the {@link JavaSamplesTest#DEFAULT_IMPORTS}. Pattern strings in {@code patterns =}, {@code ignore =},
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
 * Any other info string fails {@link InfoStringsTest}: a new kind of sample needs a check first.
 *
 * <h2>Checks over the whole text ({@link LinksAndPathsTest}, {@link ReferenceTablesTest}, {@link PatternSamplesTest})</h2>
 * Relative links and their {@code #anchors} resolve; repository paths ({@code scripts/...}, {@code examples/...},
 * {@code native-shim/...}, ...) exist; every {@code nonativeleak.NAME} property name is real; the Maven parameter
 * tables ({@code | parameter | user property | default |}) match the descriptor; the settings table of
 * getting-started.md matches {@code @NoNativeLeak}, {@code PythonFixture}, the {@code check} goal and the JUnit keys,
 * and lists every attribute; the allocator-wrapper list of patterns.md (between {@code <!-- wrappers -->} markers) is
 * the shim's ({@code symbols.c}).
 */
final class Docs {
    static final Path ROOT = repositoryRoot();
    static final Set<String> LANGUAGES = Set.of("java", "xml", "bash", "sh", "console", "text", "", "pattern", "python",
            "properties", "json", "yaml", "markdown");

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

    private Docs() {}

    static {
        try {
            read();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Reads the docs and the descriptors, once for all the documentation tests (on first use of this class). */
    private static void read() throws Exception {
        assertThat(ROOT.resolve("README.md")).exists();
        List<Doc> read = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        files.add(ROOT.resolve("README.md"));
        try (Stream<Path> md = Files.list(ROOT.resolve("docs"))) {
            md.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        for (Path file : files) read.add(parse(file));
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
        docs = read;
    }

    static void checkPattern(Block b, String pattern) {
        try {
            shim.checkPattern(pattern);
        } catch (InvalidPatternException e) {
            fail(b.where() + ": " + e.getMessage());
        }
    }

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

    /** One dynamic test per block, named where the block is. */
    static Stream<DynamicTest> eachBlock(Stream<Block> blocks, ThrowingConsumer<Block> check) {
        return blocks.map(b -> DynamicTest.dynamicTest(b.where(), () -> check.accept(b)));
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
        List<URL> descriptors = Collections.list(Docs.class.getClassLoader().getResources("META-INF/maven/plugin.xml"));
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

    static String testClassPath() {
        String path = System.getProperty("surefire.test.class.path");
        return path != null && !path.isBlank() ? path : System.getProperty("java.class.path");
    }
}
