package io.nonativeleak.shim;

/** A run that cannot start or cannot be read: bad configuration, a missing interpreter, a shim that does not load. */
public class NoNativeLeakException extends RuntimeException {
    public NoNativeLeakException(String message) {
        super(message);
    }

    public NoNativeLeakException(String message, Throwable cause) {
        super(message, cause);
    }
}
