package io.nonativeleak.shim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Java reader's offsets are those of format.h, the header the shim is built from: drift fails here. */
class FileLayoutTest {
    /** What src/test/c/layout.c prints: every constant of the header, by FileLayout's name for it. */
    private static Map<String, String> cLayout() throws IOException, InterruptedException {
        Process make = new ProcessBuilder("make", "-s", "--no-print-directory", "print-layout").redirectErrorStream(true).start();
        String out = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(make.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(make.exitValue()).as(out).isZero();
        Map<String, String> layout = new TreeMap<>();
        for (String line : out.strip().split("\n")) {
            String[] f = line.split(" ", 2);
            layout.put(f[0], f[1]);
        }
        return layout;
    }

    private static Map<String, String> javaLayout() throws IllegalAccessException {
        Map<String, String> layout = new TreeMap<>();
        for (Field f : FileLayout.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers())) continue;
            f.setAccessible(true);
            layout.put(f.getName(), String.valueOf(f.get(null)));
        }
        return layout;
    }

    @Test
    void everyConstantOfTheReaderIsTheHeadersOwn() throws Exception {
        Map<String, String> c = cLayout();
        Map<String, String> java = javaLayout();
        Set<String> names = new TreeSet<>(c.keySet());
        names.addAll(java.keySet());
        List<String> drift = new ArrayList<>();
        for (String name : names)
            if (!Objects.equals(c.get(name), java.get(name)))
                drift.add(name + ": format.h says " + c.get(name) + ", FileLayout " + java.get(name));
        assertThat(drift).as("constants of FileLayout that differ from format.h's (null: not on that side)").isEmpty();
        assertThat(names).hasSizeGreaterThan(100);
    }

    /** The runner passes phases to nnl_phase by number: its copy of enum nnl_phase is format.h's too. */
    @Test
    void theRunnersPhasesAreTheHeadersOwn() throws Exception {
        String runner = Files.readString(Path.of("src/main/python/nonativeleak_runner.py"));
        Matcher m = Pattern.compile("(?m)^(PHASE_\\w+(?:, PHASE_\\w+)*) = ([\\d, ]+)$").matcher(runner);
        assertThat(m.find()).as("the runner's PHASE_ constants").isTrue();
        String[] names = m.group(1).split(", ");
        String[] values = m.group(2).split(", ");
        assertThat(names).hasSameSizeAs(values).hasSize(5);
        Map<String, String> c = cLayout();
        for (int i = 0; i < names.length; i++) assertThat(values[i]).as(names[i]).isEqualTo(c.get(names[i]));
    }
}
