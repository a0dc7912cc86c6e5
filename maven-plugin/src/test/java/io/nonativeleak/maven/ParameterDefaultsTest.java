package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The plugin descriptor Maven builds from the @Parameter annotations gives the new parameters the documented properties and defaults. */
class ParameterDefaultsTest {
    /** goal, parameter -> {user property, default} as the descriptor's {@code <configuration>} says. */
    private static Map<String, String[]> descriptor() throws Exception {
        Map<String, String[]> out = new HashMap<>();
        try (InputStream in = ParameterDefaultsTest.class.getResourceAsStream("/META-INF/maven/plugin.xml")) {
            assertThat(in).as("plugin.xml, made by maven-plugin-plugin").isNotNull();
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
            NodeList mojos = doc.getElementsByTagName("mojo");
            for (int i = 0; i < mojos.getLength(); i++) {
                Element mojo = (Element) mojos.item(i);
                String goal = mojo.getElementsByTagName("goal").item(0).getTextContent();
                NodeList configuration = mojo.getElementsByTagName("configuration");
                if (configuration.getLength() == 0) continue;
                NodeList values = configuration.item(0).getChildNodes();
                for (int j = 0; j < values.getLength(); j++) {
                    if (!(values.item(j) instanceof Element e)) continue;
                    String text = e.getTextContent().strip();
                    String property = text.startsWith("${") ? text.substring(2, text.length() - 1) : null;
                    out.put(goal + "." + e.getTagName(), new String[] {property, e.hasAttribute("default-value") ? e.getAttribute("default-value") : null});
                }
            }
        }
        return out;
    }

    @Test
    void theBaselineGoalsParametersAreSpec7s() throws Exception {
        Map<String, String[]> d = descriptor();
        assertThat(d.get("baseline.skip")).containsExactly("nonativeleak.skip", "false");
        assertThat(d.get("baseline.python")).containsExactly("nonativeleak.python", null);
        assertThat(d.get("baseline.failOnLeak")).containsExactly("nonativeleak.failOnLeak", "true");
        assertThat(d.get("baseline.reportDirectory")).containsExactly("nonativeleak.reportDirectory", "${project.build.directory}/nonativeleak");
        assertThat(d.get("baseline.baseline")).containsExactly("nonativeleak.baseline", "${project.basedir}/" + Baseline.FILE_NAME);
    }

    @Test
    void checksNewParametersAreUnsetByDefault() throws Exception {
        Map<String, String[]> d = descriptor();
        assertThat(d.get("check.baseline")).containsExactly("nonativeleak.baseline", null);
        assertThat(d.get("check.testReportDirectory")).containsExactly("nonativeleak.testReportDirectory", null);
    }
}
