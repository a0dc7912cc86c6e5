package io.nonativeleak.it.docs;

import static io.nonativeleak.it.docs.Docs.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every fenced block has an info string one of the documentation tests checks (see {@link Docs}). */
class InfoStringsTest {
    @Test
    void everyBlockHasAKnownInfoString() {
        List<String> unknown = new ArrayList<>();
        for (Block b : allBlocks()) {
            boolean known = LANGUAGES.contains(b.language())
                    && switch (b.language()) {
                        case "java" -> Set.of("fragment").containsAll(b.flags()) && b.attributes().isEmpty();
                        case "pattern" -> Set.of("invalid").containsAll(b.flags()) && b.attributes().isEmpty();
                        case "python" -> b.flags().isEmpty() && Set.of("excerpt").containsAll(b.attributes().keySet());
                        default -> b.flags().isEmpty() && b.attributes().isEmpty();
                    };
            if (!known) unknown.add(b.where());
        }
        assertThat(unknown).as("blocks whose info string this test cannot check (see its Javadoc for the conventions)").isEmpty();
    }
}
