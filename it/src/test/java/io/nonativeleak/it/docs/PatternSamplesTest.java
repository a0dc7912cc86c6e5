package io.nonativeleak.it.docs;

import static io.nonativeleak.it.docs.Docs.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nonativeleak.shim.InvalidPatternException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Pattern samples are accepted or rejected as documented; the allocator-wrapper list is the shim's. */
class PatternSamplesTest {
    @TestFactory
    Stream<DynamicTest> patternsAreAcceptedOrRejectedAsDocumented() {
        return eachBlock(blocks("pattern"), b -> {
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
        });
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

    static List<String> stringsOf(String c, String array) {
        Matcher m = Pattern.compile(array + "\\[\\]\\s*=\\s*\\{(.*?)};", Pattern.DOTALL).matcher(c);
        assertThat(m.find()).as("symbols.c declares " + array).isTrue();
        List<String> out = new ArrayList<>();
        Matcher s = Pattern.compile("\"([^\"]*)\"").matcher(m.group(1));
        while (s.find()) out.add(s.group(1));
        return out;
    }
}
