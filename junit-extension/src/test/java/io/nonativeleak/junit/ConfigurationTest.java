package io.nonativeleak.junit;

import static io.nonativeleak.junit.TestKit.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.report.ReportJson;
import io.nonativeleak.shim.testing.TestFixtures;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult.Status;

/** Where the gate's settings come from: annotations (nearest wins), meta-annotations, nesting, configuration. */
class ConfigurationTest {

    /** A team's own composed annotation. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @NoNativeLeak(patterns = TestFixtures.PATTERN, maxLeaks = 2, maxLeakedBytes = 2000)
    @interface LeakyBlockGate {}

    @LeakyBlockGate
    static class MetaAnnotationTestCases {
        @Test
        void twoLeaksAreAllowed(PythonFixture python) {
            python.run(fixture("leak.py"), "2");
        }

        @Test
        void threeAreNot(PythonFixture python) {
            python.run(fixture("leak.py"), "3");
        }
    }

    @Test
    void composedAnnotationGatesAndRegistersTheExtension() {
        TestKit.Results results = TestKit.execute(MetaAnnotationTestCases.class);
        results.succeeded("twoLeaksAreAllowed");
        assertThat(results.failure("threeAreNot").getMessage())
                .contains("3 matching allocations (3000 bytes) still live at the checkpoint; allowed: maxLeaks=2, maxLeakedBytes=2000")
                .contains("patterns: leak_block");
    }

    @NoNativeLeak(patterns = "no_such_function")
    static class MethodOverridesClassTestCases {
        @Test
        void classPattern(PythonFixture python) {
            python.run(fixture("leak.py"));
        }

        @Test
        @NoNativeLeak(patterns = TestFixtures.PATTERN)
        void methodPattern(PythonFixture python) {
            python.run(fixture("leak.py"));
        }

        @Test
        @LeakyBlockGate
        void methodMetaAnnotation(PythonFixture python) {
            python.run(fixture("leak.py"), "2");
        }
    }

    @Test
    void nearestAnnotationWins() {
        TestKit.Results results = TestKit.execute(MethodOverridesClassTestCases.class);
        assertThat(results.failure("classPattern").getMessage()).contains("NO_MATCH").contains("patterns: no_such_function");
        assertThat(results.failure("methodPattern").getMessage()).contains("LEAKED").contains("patterns: leak_block");
        results.succeeded("methodMetaAnnotation");
    }

    static class MethodOnlyTestCases {
        @Test
        @NoNativeLeak(patterns = TestFixtures.PATTERN)
        void annotatedMethod(PythonFixture python) {
            python.run(fixture("leak.py"), "1");
        }
    }

    @Test
    void annotationOnAMethodAloneRegistersTheExtension() {
        assertThat(TestKit.execute(MethodOnlyTestCases.class).failure("annotatedMethod").getMessage())
                .contains("leak.py 1 is LEAKED");
    }

    @NoNativeLeak(patterns = TestFixtures.PATTERN)
    static class EnclosingTestCases {
        @Nested
        class Inheriting {
            @Test
            void inherits(PythonFixture python) {
                python.run(fixture("leak.py"), "2");
            }

            @Nested
            class DeeperStill {
                @Test
                void stillInherits(PythonFixture python) {
                    python.run(fixture("leak.py"), "1");
                }
            }
        }

        @Nested
        @NoNativeLeak(patterns = TestFixtures.PATTERN, maxLeaks = 5, maxLeakedBytes = 5000)
        class Overriding {
            @Test
            void ownAllowance(PythonFixture python) {
                python.run(fixture("leak.py"), "5");
            }
        }
    }

    @Test
    void nestedClassesInheritFromEnclosingOnes() {
        TestKit.Results results = TestKit.execute(EnclosingTestCases.class);
        assertThat(results.failure("inherits").getMessage()).contains("leak.py 2 is LEAKED").contains("patterns: leak_block");
        assertThat(results.failure("stillInherits").getMessage()).contains("leak.py 1 is LEAKED");
        results.succeeded("ownAllowance");
    }

    @NoNativeLeak
    static class PropertiesTestCases {
        @Test
        void leaksWithConfiguredPattern(PythonFixture python) {
            python.run(fixture("leak.py"), "2", "500");
        }

        @Test
        void warmsUpAsConfigured(PythonFixture python) {
            // warm_cache.py allocates on its first run only: after a warm-up the measured run matches nothing
            python.withRequireMatch(false).run(fixture("warm_cache.py"));
        }

        @Test
        @NoNativeLeak(patterns = "no_such_function", warmup = 0)
        void attributeBeatsConfiguration(PythonFixture python) {
            python.run(fixture("leak.py"));
        }

        @Test
        void perRunOverrideBeatsBoth(PythonFixture python) {
            python.withWarmup(0).withRequireMatch(false).run(fixture("warm_cache.py"));
        }
    }

    @Test
    void configurationParametersFillWhatTheAnnotationLeavesAtDefault() throws Exception {
        Path reports = TestKit.temporaryDirectory("nonativeleak-reports-");
        TestKit.Results results = TestKit.execute(PropertiesTestCases.class,
                "nonativeleak.patterns", "no_such_function ; leak_block",
                "nonativeleak.warmup", "1",
                "nonativeleak.reportDirectory", reports.toString(),
                "nonativeleak.timeoutSeconds", "120");
        assertThat(results.failure("leaksWithConfiguredPattern").getMessage())
                .contains("patterns: no_such_function  ;  leak_block")
                .contains("warmup 1")
                .contains("2 matching allocations (1000 bytes)")
                .contains("report: " + reports.resolve("ConfigurationTest.PropertiesTestCases.leaksWithConfiguredPattern.leak.json"));
        results.succeeded("warmsUpAsConfigured");
        // An explicit warmup = 0 cannot be told from the default: it yields to the configuration (documented).
        assertThat(results.failure("attributeBeatsConfiguration").getMessage()).contains("patterns: no_such_function\n").contains("NO_MATCH");
        assertThat(results.failure("perRunOverrideBeatsBoth").getMessage()).contains("warm_cache.py is LEAKED").contains("warmup 0");
        try (Stream<Path> files = Files.list(reports)) {
            assertThat(files.filter(f -> f.toString().endsWith(".json")).map(ReportJson::read))
                    .hasSize(4)
                    .allSatisfy(r -> assertThat(r.outcome()).isIn(Outcome.CLEAN, Outcome.LEAKED, Outcome.NO_MATCH));
        }
    }

    @Test
    void withoutConfigurationTheSpecDefaultsHold() {
        TestKit.Results results = TestKit.execute(PropertiesTestCases.class);
        assertThat(results.failure("leaksWithConfiguredPattern").getMessage())
                .contains("patterns: (none: every allocation)")
                .contains("warmup 0");
        assertThat(results.failure("warmsUpAsConfigured").getMessage()).contains("warm_cache.py is LEAKED");
    }

    @Test
    void malformedConfigurationIsNamed() {
        TestKit.Results results = TestKit.execute(PropertiesTestCases.class, "nonativeleak.maxLeaks", "lots");
        assertThat(results.failure("leaksWithConfiguredPattern"))
                .hasMessageContaining("configuration parameter nonativeleak.maxLeaks=lots is not a whole number");
    }

    @NoNativeLeak(patterns = TestFixtures.PATTERN, maxLeakedBytes = 2500, maxLeaks = 10)
    static class AllowanceTestCases {
        @Test
        void withinBytes(PythonFixture python) {
            python.run(fixture("leak.py"), "2", "1250");
        }

        @Test
        void overBytes(PythonFixture python) {
            python.run(fixture("leak.py"), "2", "1251");
        }

        @Test
        void perRunAllowance(PythonFixture python) {
            python.withMaxLeaks(0).withMaxLeakedBytes(0).run(fixture("leak.py"), "1", "10");
        }

        @Test
        @NoNativeLeak(patterns = "no_such_function", requireMatch = false)
        void matchNotRequired(PythonFixture python) {
            python.run(fixture("leak.py"));
        }
    }

    @Test
    void allowancesAndRequireMatch() {
        TestKit.Results results = TestKit.execute(AllowanceTestCases.class);
        results.succeeded("withinBytes");
        assertThat(results.failure("overBytes").getMessage()).contains("2 matching allocations (2502 bytes)")
                .contains("maxLeaks=10, maxLeakedBytes=2500");
        assertThat(results.failure("perRunAllowance").getMessage()).contains("maxLeaks=0, maxLeakedBytes=0");
        results.succeeded("matchNotRequired");
    }
}
