package io.nonativeleak.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.nonativeleak.shim.testing.TestFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.OutputDirectoryCreator;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs {@code *TestCases} classes through the Jupiter engine, junit-pioneer style. The test-case classes are
 * static nested classes: Surefire skips them ({@code **}{@code /*$*} is excluded by default) and Jupiter does
 * not discover them from their enclosing class, so they run only here, as a user's tests would.
 */
final class TestKit {
    private TestKit() {}

    /** A script of the shared test fixtures (native-shim's test-jar), as an absolute path. */
    static String fixture(String name) {
        return TestFixtures.script(name).toString();
    }

    /** Executes the test cases with configuration parameters given as key, value, key, value... */
    static Results execute(Class<?> testCases, String... parameters) {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("nonativeleak.python", TestFixtures.python());
        for (int i = 0; i < parameters.length; i += 2) map.put(parameters[i], parameters[i + 1]);
        Path output = temporaryDirectory("nonativeleak-junit-output-");
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(testCases))
                .configurationParameters(map)
                .outputDirectoryCreator(new DirectoryCreator(output))
                .execute();
        return new Results(results, output);
    }

    static Path temporaryDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What an execution produced, looked up by test method name. */
    record Results(EngineExecutionResults events, Path outputDirectory) {

        /** The result of the test method (or, for a class name, the container) of that name. */
        TestExecutionResult result(String name) {
            List<Event> finished = events.allEvents().finished().stream().filter(e -> named(e.getTestDescriptor(), name)).toList();
            if (finished.size() != 1) throw new AssertionError("expected one finished test named " + name + ", got " + finished + "\n" + dump());
            return finished.get(0).getRequiredPayload(TestExecutionResult.class);
        }

        /** The failure of that test or container; an AssertionError when it did not fail. */
        Throwable failure(String name) {
            TestExecutionResult result = result(name);
            if (result.getStatus() != TestExecutionResult.Status.FAILED)
                throw new AssertionError(name + " did not fail but " + result + "\n" + dump());
            return result.getThrowable().orElseThrow();
        }

        /** The reason an aborted test gave. */
        Throwable aborted(String name) {
            TestExecutionResult result = result(name);
            if (result.getStatus() != TestExecutionResult.Status.ABORTED)
                throw new AssertionError(name + " was not aborted but " + result + "\n" + dump());
            return result.getThrowable().orElseThrow();
        }

        /** Passes when that test succeeded; otherwise fails with what happened to it. */
        void succeeded(String name) {
            TestExecutionResult result = result(name);
            if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                AssertionError error = new AssertionError(name + " did not succeed: " + result.getStatus() + " "
                        + result.getThrowable().map(Throwable::toString).orElse(""));
                result.getThrowable().ifPresent(error::initCause);
                throw error;
            }
        }

        TestExecutionResult.Status status(String name) {
            return result(name).getStatus();
        }

        /** Every finished test and container with its status and message, for failure messages. */
        String dump() {
            StringBuilder out = new StringBuilder();
            for (Event e : events.allEvents().finished().list()) {
                TestExecutionResult r = e.getRequiredPayload(TestExecutionResult.class);
                out.append("  ").append(e.getTestDescriptor().getDisplayName()).append(": ").append(r.getStatus());
                r.getThrowable().ifPresent(t -> out.append(" ").append(t));
                out.append('\n');
            }
            return out.toString();
        }

        private static boolean named(TestDescriptor descriptor, String name) {
            return descriptor.getSource().map(source -> {
                if (source instanceof MethodSource m) return descriptor.isTest() && m.getMethodName().equals(name);
                if (source instanceof ClassSource c) return descriptor.isContainer() && c.getJavaClass().getSimpleName().equals(name);
                return false;
            }).orElse(false);
        }
    }

    /** Lets publishFile write under a temporary directory, one folder per test. */
    private record DirectoryCreator(Path root) implements OutputDirectoryCreator {
        @Override
        public Path getRootDirectory() {
            return root;
        }

        @Override
        public Path createOutputDirectory(TestDescriptor descriptor) throws IOException {
            return Files.createDirectories(root.resolve(descriptor.getUniqueId().toString().replaceAll("[^A-Za-z0-9._-]", "_")));
        }
    }
}
