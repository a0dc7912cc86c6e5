package io.nonativeleak.maven;

import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.logging.SystemStreamLog;

/** Maven's console log that also keeps what was logged, for assertions on what a user reads. */
class RecordingLog extends SystemStreamLog {
    final List<String> lines = new ArrayList<>();

    String text() {
        return String.join("\n", lines);
    }

    private void keep(String level, CharSequence content) {
        for (String line : String.valueOf(content).split("\n")) lines.add("[" + level + "] " + line);
    }

    @Override public void info(CharSequence content) { keep("INFO", content); super.info(content); }
    @Override public void warn(CharSequence content) { keep("WARNING", content); super.warn(content); }
    @Override public void error(CharSequence content) { keep("ERROR", content); super.error(content); }
    @Override public void debug(CharSequence content) { keep("DEBUG", content); }
    @Override public boolean isDebugEnabled() { return false; }
}
