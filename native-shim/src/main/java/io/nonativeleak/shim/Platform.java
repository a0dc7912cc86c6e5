package io.nonativeleak.shim;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Where the shim can run: Linux on x86-64 with glibc (it interposes glibc's allocator through LD_PRELOAD). */
public final class Platform {
    private Platform() {}

    /** Null when supported, else why not. */
    public static String unsupportedReason() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux")) return "NoNativeLeak needs Linux x86-64 with glibc; this is " + System.getProperty("os.name");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) return "NoNativeLeak needs Linux x86-64; this machine is " + arch;
        if (!Files.exists(Path.of("/lib64/ld-linux-x86-64.so.2")) && !Files.exists(Path.of("/lib/ld-linux-x86-64.so.2")))
            return "NoNativeLeak needs glibc; no glibc dynamic loader was found (musl-based systems such as Alpine are not supported)";
        return null;
    }

    public static void requireSupported() {
        String reason = unsupportedReason();
        if (reason != null) throw new UnsupportedPlatformException(reason);
    }
}
