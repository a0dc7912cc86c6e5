package io.nonativeleak.it.docs;

import static io.nonativeleak.it.docs.Docs.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.nonativeleak.junit.NoNativeLeak;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** XML samples: NoNativeLeak's plugin, goals, parameters, {@code <fixture>} elements and dependencies are real, patterns parse. */
class XmlSamplesTest {
    @TestFactory
    Stream<DynamicTest> xmlSamplesUseRealGoalsAndParameters() {
        return eachBlock(blocks("xml"), XmlSamplesTest::checkXml);
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
}
