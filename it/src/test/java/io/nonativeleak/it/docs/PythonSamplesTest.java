package io.nonativeleak.it.docs;

import static io.nonativeleak.it.docs.Docs.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Python samples compile, and excerpts quote their files. */
class PythonSamplesTest {
    @TestFactory
    Stream<DynamicTest> pythonSamplesCompileAndQuoteTheirSources() {
        return eachBlock(blocks("python"), b -> {
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
        });
    }
}
