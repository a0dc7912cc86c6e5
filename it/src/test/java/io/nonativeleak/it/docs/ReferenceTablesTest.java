package io.nonativeleak.it.docs;

import static io.nonativeleak.it.docs.Docs.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.junit.NoNativeLeak;
import io.nonativeleak.junit.PythonFixture;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Property names are real; the Maven parameter tables and the settings table match the code. */
class ReferenceTablesTest {
    // not after =" either: the test report's suite and class names (name="nonativeleak.<execution id>") are no properties
    static final Pattern PROPERTY_NAME = Pattern.compile("(?:(?<=-D)|(?<![\\w./-])(?<!=\"))nonativeleak\\.([A-Za-z][\\w.]*[A-Za-z0-9])");

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
}
