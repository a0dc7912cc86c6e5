package io.nonativeleak.junit;

import io.nonativeleak.shim.FixtureLauncher;
import io.nonativeleak.shim.FixtureSpec;
import io.nonativeleak.shim.UnsupportedPlatformException;
import io.nonativeleak.shim.report.RunReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MediaType;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.function.ThrowingConsumer;
import org.opentest4j.TestAbortedException;

/**
 * The fixture runs made in one extension context (a test method with its {@code @BeforeEach}/{@code @AfterEach}
 * methods, or a class with its {@code @BeforeAll}/{@code @AfterAll} methods), kept in that context's store.
 * Closed by JUnit when the context ends; a {@link PythonFixture} kept beyond that refuses to run.
 */
final class FixtureSession implements AutoCloseable {
    private static final int NAME_PREFIX_LIMIT = 120;

    private final ExtensionContext context;
    private final Settings settings;
    private final String namePrefix;
    private final List<FixtureRun> notClean = new ArrayList<>();
    private volatile boolean closed;

    FixtureSession(ExtensionContext context, Settings settings) {
        this.context = context;
        this.settings = settings;
        this.namePrefix = namePrefix(context);
    }

    Settings settings() {
        return settings;
    }

    FixtureRun execute(FixtureSpec.Builder builder, String name, boolean gated) {
        if (closed) {
            throw new IllegalStateException("this PythonFixture belongs to " + context.getDisplayName()
                    + ", which has finished; declare PythonFixture as a parameter where you run fixtures");
        }
        FixtureSpec spec = builder.build();
        spec = spec.toBuilder().name(name != null ? name : namePrefix + "." + shortTarget(spec)).build();
        FixtureLauncher launcher;
        try {
            launcher = FixtureLauncher.prepare(spec);
        } catch (UnsupportedPlatformException e) {
            throw new TestAbortedException(e.getMessage(), e);
        }
        RunReport report = launcher.run();
        FixtureRun run = new FixtureRun(report, launcher.reportFile(report), gated);
        publish(run);
        if (gated && run.outcome().failsGate()) {
            synchronized (notClean) {
                notClean.add(run);
            }
        }
        return run;
    }

    /** Fails with every gated run of this context that was not CLEAN. */
    void verify() {
        List<FixtureRun> failures;
        synchronized (notClean) {
            failures = List.copyOf(notClean);
            notClean.clear();
        }
        if (!failures.isEmpty()) throw GateFailure.of(failures);
    }

    @Override
    public void close() {
        closed = true;
    }

    private void publish(FixtureRun run) {
        try {
            context.publishReportEntry(Map.of("nonativeleak." + run.name(), run.outcome() + " " + run.reportFile()));
        } catch (RuntimeException ignored) {
            // reporting entries are a courtesy
        }
        String name = run.reportFile().getFileName().toString();
        ThrowingConsumer<Path> copy = target -> Files.copy(run.reportFile(), target);
        try {
            context.publishFile(name, MediaType.APPLICATION_JSON, copy);
        } catch (NoClassDefFoundError | NoSuchMethodError beforeJUnit514) {
            publishBefore514(name, copy);
        } catch (RuntimeException ignored) {
            // no output directory configured (EngineTestKit's default, for one)
        }
    }

    /** JUnit 5.12 and 5.13 have publishFile only with the media type that 5.14 deprecated; before 5.12 there is none. */
    @SuppressWarnings("deprecation")
    private void publishBefore514(String name, ThrowingConsumer<Path> copy) {
        try {
            context.publishFile(name, org.junit.jupiter.api.extension.MediaType.APPLICATION_JSON, copy);
        } catch (LinkageError | RuntimeException ignored) {
            // JUnit before 5.12: the report stays in the report directory only
        }
    }

    private static String namePrefix(ExtensionContext context) {
        String prefix = context.getTestClass()
                .map(c -> c.getPackageName().isEmpty() ? c.getName() : c.getName().substring(c.getPackageName().length() + 1))
                .map(n -> n.replace('$', '.')).orElse("fixture");
        prefix += context.getTestMethod().map(m -> "." + m.getName()).orElse("");
        return prefix.length() > NAME_PREFIX_LIMIT ? prefix.substring(prefix.length() - NAME_PREFIX_LIMIT) : prefix;
    }

    private static String shortTarget(FixtureSpec spec) {
        String target = spec.target();
        if (spec.kind() == FixtureSpec.Kind.CALLABLE) return target.replace(':', '.');
        String file = target.substring(target.lastIndexOf('/') + 1);
        return file.endsWith(".py") ? file.substring(0, file.length() - 3) : file;
    }
}
