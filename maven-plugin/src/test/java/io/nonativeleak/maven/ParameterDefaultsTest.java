package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.GateSettings;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
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

    /** A knob's default lives in GateSettings; the goals' parameters (and so their documentation) must say the same. */
    @Test
    void theFixtureGoalsDefaultsAreTheSettingsDefaults() throws Exception {
        Map<String, String[]> d = descriptor();
        for (String goal : List.of("check", "discover")) {
            assertThat(d.get(goal + ".warmup")).containsExactly("nonativeleak.warmup", "" + GateSettings.DEFAULT_WARMUP);
            assertThat(d.get(goal + ".timeoutSeconds")).containsExactly("nonativeleak.timeoutSeconds", "" + GateSettings.DEFAULT_TIMEOUT_SECONDS);
            assertThat(d.get(goal + ".python")).containsExactly("nonativeleak.python", null);
            assertThat(d.get(goal + ".reportDirectory")[1]).endsWith("/" + Path.of(GateSettings.DEFAULT_REPORT_DIRECTORY).getFileName());
        }
        assertThat(d.get("check.runs")).containsExactly("nonativeleak.runs", "" + GateSettings.DEFAULT_RUNS);
        assertThat(d.get("check.maxLeaks")).containsExactly(null, "" + GateSettings.DEFAULT_MAX_LEAKS);
        assertThat(d.get("check.maxLeakedBytes")).containsExactly(null, "" + GateSettings.DEFAULT_MAX_LEAKED_BYTES);
        assertThat(d.get("check.requireMatch")).containsExactly(null, "" + GateSettings.DEFAULT_REQUIRE_MATCH);
        assertThat(d.get("discover.sampleBytes")).containsExactly("nonativeleak.sampleBytes", "" + GateSettings.DEFAULT_SAMPLE_BYTES);
        // A mojo run without Maven's injection (as the tests build them) starts from the same values.
        CheckMojo check = new CheckMojo();
        assertThat(check.runs).isEqualTo(GateSettings.DEFAULT_RUNS);
    }

    @Test
    void eachGoalDocumentsItsOwnTopDefault() throws Exception {
        Map<String, String[]> d = descriptor();
        assertThat(d.get("check.top")).containsExactly("nonativeleak.top", "" + CheckMojo.DEFAULT_TOP);
        assertThat(d.get("discover.top")).containsExactly("nonativeleak.top", "" + DiscoverMojo.DEFAULT_TOP);
    }
}
