package io.nonativeleak.junit;

import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Registered by {@link NoNativeLeak}: injects {@link PythonFixture}, and fails the test (after its method and
 * {@code @AfterEach} methods) or the class (after {@code @AfterAll}) whose gated runs were not CLEAN.
 *
 * <p>State lives in the extension context's store, one {@link FixtureSession} per context, keyed by the context's
 * unique id (a store also sees its parents' values: a method must not pick up its class's session).
 */
final class NoNativeLeakExtension implements ParameterResolver, AfterEachCallback, AfterAllCallback {
    private static final Namespace NAMESPACE = Namespace.create(NoNativeLeakExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == PythonFixture.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        FixtureSession session = extensionContext.getStore(NAMESPACE).getOrComputeIfAbsent(key(extensionContext),
                k -> new FixtureSession(extensionContext, Settings.of(extensionContext)), FixtureSession.class);
        return new PythonFixture(session);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        session(context).ifPresent(FixtureSession::verify);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        session(context).ifPresent(FixtureSession::verify);
    }

    private static Optional<FixtureSession> session(ExtensionContext context) {
        return Optional.ofNullable(context.getStore(NAMESPACE).get(key(context), FixtureSession.class));
    }

    private static String key(ExtensionContext context) {
        return "session " + context.getUniqueId();
    }
}
