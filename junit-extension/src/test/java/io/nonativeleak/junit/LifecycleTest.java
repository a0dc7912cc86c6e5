package io.nonativeleak.junit;

import static io.nonativeleak.junit.TestKit.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.report.Outcome;
import io.nonativeleak.shim.testing.TestFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** PythonFixture in lifecycle methods: a gated run fails the scope it was made in, after that scope's methods. */
class LifecycleTest {

    @NoNativeLeak(patterns = TestFixtures.PATTERN)
    static class BeforeAllTestCases {
        static FixtureRun shared;

        @BeforeAll
        static void setUp(PythonFixture python) {
            python.run(fixture("leak.py"), "2");                  // gated: fails the class
            shared = python.probe(fixture("leak.py"), "5");       // not gated: shared with the tests
        }

        @Test
        void usesTheSharedProbe() {
            assertThat(shared.outcome()).isEqualTo(Outcome.LEAKED);
            assertThat(shared.leakCount()).isEqualTo(5);
        }

        @Test
        void runsItsOwnCleanFixture(PythonFixture python) {
            python.run(fixture("clean.py"));
        }
    }

    @Test
    void gatedRunInBeforeAllFailsTheClassNotItsTests() {
        TestKit.Results results = TestKit.execute(BeforeAllTestCases.class);
        results.succeeded("usesTheSharedProbe");
        results.succeeded("runsItsOwnCleanFixture");
        assertThat(results.failure("BeforeAllTestCases").getMessage())
                .startsWith("NoNativeLeak gate: " + fixture("leak.py") + " 2 is LEAKED, not CLEAN")
                .doesNotContain(" 5 is LEAKED");
    }

    @NoNativeLeak(patterns = TestFixtures.PATTERN)
    static class BeforeEachTestCases {
        @BeforeEach
        void setUp(PythonFixture python) {
            python.run(fixture("leak.py"), "1", "64");
        }

        @AfterEach
        void tearDown(PythonFixture python) {
            python.run(fixture("leak.py"), "1", "32");
        }

        @Test
        void first(PythonFixture python) {
            python.run(fixture("clean.py"));
        }

        @Test
        void second() {
        }
    }

    @Test
    void gatedRunsInBeforeEachAndAfterEachFailEachTest() {
        TestKit.Results results = TestKit.execute(BeforeEachTestCases.class);
        for (String test : new String[] {"first", "second"}) {
            assertThat(results.failure(test).getMessage())
                    .startsWith("2 gated fixture runs were not CLEAN")
                    .contains("leak.py 1 64 is LEAKED")
                    .contains("leak.py 1 32 is LEAKED")
                    .doesNotContain("clean.py");
        }
        results.succeeded("BeforeEachTestCases");
    }

    @NoNativeLeak(patterns = TestFixtures.PATTERN)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class KeptFixtureTestCases {
        static PythonFixture kept;

        @Test
        @Order(1)
        void keeps(PythonFixture python) {
            kept = python;
        }

        @Test
        @Order(2)
        void usesAfterItsTest() {
            kept.probe(fixture("clean.py"));
        }
    }

    @Test
    void fixtureKeptBeyondItsTestRefusesToRun() {
        TestKit.Results results = TestKit.execute(KeptFixtureTestCases.class);
        assertThat(results.failure("usesAfterItsTest")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("this PythonFixture belongs to keeps(PythonFixture), which has finished");
    }
}
