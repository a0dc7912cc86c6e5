package io.nonativeleak.it.docs;

import static io.nonativeleak.it.docs.Docs.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nonativeleak.junit.FixtureRun;
import io.nonativeleak.junit.NoNativeLeak;
import io.nonativeleak.junit.PythonFixture;
import io.nonativeleak.shim.report.RunReport;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** JSON samples use the report's fields; the example of reports.md has the fields of a real report. */
class ReportSamplesTest {
    @TestFactory
    Stream<DynamicTest> jsonSamplesUseTheReportsFields() {
        return eachBlock(blocks("json"), b -> {
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
        });
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
