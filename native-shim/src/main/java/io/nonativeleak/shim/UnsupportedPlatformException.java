package io.nonativeleak.shim;

/** The shim runs on Linux x86-64 with glibc only; elsewhere, gates are skipped with this reason. */
public class UnsupportedPlatformException extends NoNativeLeakException {
    public UnsupportedPlatformException(String message) {
        super(message);
    }
}
