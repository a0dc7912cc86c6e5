package io.nonativeleak.it.docs;

import static io.nonativeleak.it.docs.Docs.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** {@code junit-platform.properties} samples use real configuration keys, and their patterns parse. */
class PropertiesSamplesTest {
    @TestFactory
    Stream<DynamicTest> propertiesUseRealConfigurationKeys() {
        return eachBlock(blocks("properties"), b -> {
            for (String line : b.lines()) {
                if (line.isBlank() || line.strip().startsWith("#")) continue;
                int eq = line.indexOf('=');
                assertThat(eq).as(b.where() + ": not key=value: " + line).isPositive();
                String key = line.substring(0, eq).strip();
                String value = line.substring(eq + 1).strip();
                if (key.startsWith("junit.")) continue;
                assertThat(junitKeys).as(b.where() + ": " + key + " is not a configuration key of the JUnit extension").contains(key);
                if (key.equals("nonativeleak.patterns") || key.equals("nonativeleak.ignore"))
                    for (String p : value.split(";")) if (!p.isBlank()) checkPattern(b, p.strip());
            }
        });
    }
}
