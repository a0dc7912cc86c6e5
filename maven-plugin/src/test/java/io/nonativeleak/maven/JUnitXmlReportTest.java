package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nonativeleak.shim.testing.TestFixtures;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.surefire.log.api.NullConsoleLogger;
import org.apache.maven.plugins.surefire.report.ReportTestCase;
import org.apache.maven.plugins.surefire.report.ReportTestSuite;
import org.apache.maven.plugins.surefire.report.TestSuiteXmlParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check's test report, as CI systems read it: valid against Surefire's own schema, parsed by Surefire's own
 * report parser (the one maven-surefire-report-plugin and many CI plugins use), one test per fixture.
 */
class JUnitXmlReportTest {
    @TempDir
    Path project;

    private final RecordingLog log = new RecordingLog();

    private static Fixture named(String name, String script, String... args) {
        Fixture f = Mojos.script(TestFixtures.script(script).toString(), args);
        f.setName(name);
        return f;
    }

    @Test
    void eachFixtureIsATestCaseThatSurefiresSchemaAndParserAccept() throws Exception {
        Path noisy = Files.writeString(project.resolve("noisy.py"), String.join("\n",
                "import sys",
                "print('control \\x00\\x01\\x1b characters, markup <a href=\"x\">&amp;</a>, and \\ud800 cut in half'.encode('utf-8', 'surrogatepass').decode('utf-8', 'replace'))",
                "sys.stdout.write('FIRST-LINE\\n')",
                "for i in range(20000): sys.stdout.write('line %d of a flood of output\\n' % i)",
                "sys.stdout.write('LAST-LINE\\n')",
                "sys.stderr.write('to stderr\\n')", ""));
        Fixture flood = Mojos.script(noisy.toString());
        flood.setName("noisy");   // matches nothing: NO_MATCH
        CheckMojo mojo = Mojos.check(project, log);
        mojo.testReportDirectory = project.resolve("target/surefire-reports").toFile();
        mojo.fixtures = new ArrayList<>(List.of(named("leaky", "leak.py", "4", "1000"), named("clean", "clean.py"),
                named("raises", "raises.py"), named("crash", "crash.py"), flood));

        assertThatThrownBy(mojo::execute).isInstanceOf(MojoFailureException.class).hasMessageContaining("4 of 5 fixtures not CLEAN");

        Path xml = project.resolve("target/nonativeleak/TEST-nonativeleak.default.xml");
        assertThat(xml).exists();
        Path sample = Files.createDirectories(Path.of("target", "test-report-sample")).resolve(xml.getFileName());
        Files.copy(xml, sample, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.println("The check's test report, for a person to look at: " + sample.toAbsolutePath());
        assertThat(project.resolve("target/surefire-reports/TEST-nonativeleak.default.xml")).hasSameTextualContentAs(xml);
        assertThat(log.text()).contains("Test report: " + xml);

        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(schema()).newValidator().validate(new StreamSource(xml.toFile()));

        List<ReportTestSuite> suites = new TestSuiteXmlParser(new NullConsoleLogger()).parse(xml.toString());
        assertThat(suites).hasSize(1);
        ReportTestSuite suite = suites.get(0);
        assertThat(suite.getFullClassName()).isEqualTo("nonativeleak.default");
        assertThat(suite.getNumberOfTests()).isEqualTo(5);
        assertThat(suite.getNumberOfFailures()).isEqualTo(2);      // LEAKED, NO_MATCH
        assertThat(suite.getNumberOfErrors()).isEqualTo(2);        // FIXTURE_FAILED, CRASHED
        Map<String, ReportTestCase> cases = suite.getTestCases().stream().collect(Collectors.toMap(ReportTestCase::getName, Function.identity()));
        assertThat(cases).containsOnlyKeys("leaky", "clean", "raises", "crash", "noisy");
        assertThat(cases.get("clean").isSuccessful()).isTrue();
        ReportTestCase leaky = cases.get("leaky");
        assertThat(leaky.hasFailure()).isTrue();
        assertThat(leaky.hasError()).isFalse();
        assertThat(leaky.getFailureType()).isEqualTo("LEAKED");
        assertThat(leaky.getFailureMessage()).startsWith("LEAKED: ");
        assertThat(leaky.getFailureDetail()).contains("CallStack[1]: may-leak=4 (4000 bytes)").contains("leak_block")
                .contains("leaky.leak(count, size)  # LEAK-LINE");
        assertThat(leaky.getTime()).isPositive();
        assertThat(cases.get("raises").hasError()).isTrue();
        assertThat(cases.get("raises").getFailureType()).isEqualTo("FIXTURE_FAILED");
        assertThat(cases.get("crash").getFailureType()).isEqualTo("CRASHED");
        assertThat(cases.get("noisy").getFailureType()).isEqualTo("NO_MATCH");

        String text = Files.readString(xml);
        assertThat(text).contains("FIRST-LINE").contains("LAST-LINE").contains("bytes left out; the whole output is in ")
                .contains("&lt;a href=\"x\"&gt;&amp;amp;&lt;/a&gt;").contains("<system-err>to stderr")
                .doesNotContain("\u0000").doesNotContain("\u001b");
        assertThat(Files.size(xml)).as("output excerpts are bounded").isLessThan(200_000);
        assertThat(Files.size(project.resolve("target/nonativeleak/noisy.stdout.log"))).isGreaterThan(500_000);
    }

    @Test
    void aFixtureThatCouldNotRunIsAnErrorAndTheExecutionIdNamesTheFile() throws Exception {
        RunAttempt broken = new RunAttempt("lost", null, null, "interpreter vanished", 12);
        String xml = JUnitXmlReport.render(List.of(Verdict.of(broken, null)), "gate one", 5);
        assertThat(JUnitXmlReport.fileName("gate one")).isEqualTo("TEST-nonativeleak.gate_one.xml");
        Path file = Files.writeString(project.resolve("TEST-x.xml"), xml);
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(schema()).newValidator().validate(new StreamSource(file.toFile()));
        ReportTestCase lost = new TestSuiteXmlParser(new NullConsoleLogger()).parse(file.toString()).get(0).getTestCases().get(0);
        assertThat(lost.hasError()).isTrue();
        assertThat(lost.getFailureType()).isEqualTo("NOT_RUN");
        assertThat(lost.getFailureMessage()).isEqualTo("could not run: interpreter vanished");
    }

    @Test
    void textAndAttributesAreEscapedAndCharactersXmlCannotHoldAreReplaced() {
        assertThat(JUnitXmlReport.attr("a\"b<c>&d\ne\tf\u0000g")).isEqualTo("a&quot;b&lt;c&gt;&amp;d&#10;e&#9;f\uFFFDg");
        assertThat(JUnitXmlReport.text("a\"b\n\u0007\uD800x\uD83D\uDE00\r")).isEqualTo("a\"b\n\uFFFD\uFFFDx\uD83D\uDE00&#13;");
    }

    private static File schema() {
        String path = System.getProperty("nonativeleak.test.surefireSchema");
        assertThat(path).as("the build unpacks Surefire's schema (maven-plugin/pom.xml)").isNotBlank();
        assertThat(new File(path)).exists();
        return new File(path);
    }
}
