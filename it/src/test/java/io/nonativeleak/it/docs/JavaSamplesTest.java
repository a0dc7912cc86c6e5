package io.nonativeleak.it.docs;

import static io.nonativeleak.it.docs.Docs.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.junit.PythonFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Java samples compile against the test class path, and their pattern strings parse. */
class JavaSamplesTest {
    static final String DEFAULT_IMPORTS = """
            import static io.nonativeleak.junit.NativeLeakAssertions.assertThat;

            import io.nonativeleak.junit.*;
            import io.nonativeleak.shim.report.*;
            import java.nio.file.*;
            import java.util.*;
            import org.junit.jupiter.api.*;
            """;

    @TestFactory
    Stream<DynamicTest> javaSamplesCompile() {
        return eachBlock(blocks("java"), b -> {
            compile(b);
            for (String pattern : javaPatternLiterals(b.text())) checkPattern(b, pattern);
        });
    }

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
}
