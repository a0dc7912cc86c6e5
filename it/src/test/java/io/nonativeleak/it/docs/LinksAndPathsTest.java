package io.nonativeleak.it.docs;

import static io.nonativeleak.it.docs.Docs.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Relative links and their anchors resolve; repository paths named in the text exist. */
class LinksAndPathsTest {
    static final Pattern REPO_PATH = Pattern.compile(
            "(?<![\\w./$-])((?:scripts|examples|native-shim|junit-extension|maven-plugin|it|docs|bench|\\.ci)/[\\w./-]*)");
    static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)\\)");

    @Test
    void linksAndAnchorsResolve() {
        List<String> broken = new ArrayList<>();
        for (Doc doc : docs) {
            for (int i = 0; i < doc.lines().size(); i++) {
                if (insideBlock(doc, i)) continue;
                Matcher m = LINK.matcher(doc.lines().get(i));
                while (m.find()) {
                    String target = m.group(1);
                    if (target.matches("^[a-z]+:.*")) continue;
                    String path = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                    String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
                    Path resolved = path.isEmpty() ? doc.file() : doc.file().getParent().resolve(path).normalize();
                    String where = ROOT.relativize(doc.file()) + ":" + (i + 1) + ": " + target;
                    if (!Files.exists(resolved)) {
                        broken.add(where + " (no such file)");
                    } else if (anchor != null) {
                        Doc other = docs.stream().filter(d -> d.file().equals(resolved)).findFirst().orElse(null);
                        if (other == null || !other.anchors().contains(anchor)) broken.add(where + " (no such heading)");
                    }
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    @Test
    void repositoryPathsExist() {
        List<String> missing = new ArrayList<>();
        for (Doc doc : docs) {
            for (int i = 0; i < doc.lines().size(); i++) {
                String line = doc.lines().get(i);
                Matcher m = REPO_PATH.matcher(line);
                while (m.find()) {
                    String path = m.group(1).replaceAll("[./]+$", "");
                    int end = m.end();
                    if (end < line.length() && "*<{$".indexOf(line.charAt(end)) >= 0) continue; // a glob or a placeholder
                    if (!Files.exists(ROOT.resolve(path))) missing.add(ROOT.relativize(doc.file()) + ":" + (i + 1) + ": " + path);
                }
            }
        }
        assertThat(missing).isEmpty();
    }
}
