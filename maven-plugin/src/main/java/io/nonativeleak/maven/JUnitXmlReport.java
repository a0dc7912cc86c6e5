package io.nonativeleak.maven;

import io.nonativeleak.shim.report.RunReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * The check's result as a test report in Surefire's format ({@code TEST-nonativeleak.<execution id>.xml},
 * schema surefire-test-report.xsd 3.0.2), so that Jenkins, GitLab, GitHub and IDEs show each fixture as a test:
 * a pass, a {@code <failure>} (LEAKED, NO_MATCH, INCOMPLETE: the gate caught something) or an
 * {@code <error>} (FIXTURE_FAILED, CRASHED, TIMED_OUT, or a fixture that could not run at all).
 */
final class JUnitXmlReport {
    /** Bytes of a fixture's stdout or stderr kept in the file: the first and the last part, the middle elided. */
    static final int OUTPUT_HEAD_BYTES = 8 * 1024;
    static final int OUTPUT_TAIL_BYTES = 24 * 1024;
    static final String SCHEMA = "https://maven.apache.org/surefire/maven-surefire-plugin/xsd/surefire-test-report.xsd";

    /** How one fixture counts as a test. */
    enum Kind { PASSED, FAILURE, ERROR }

    private JUnitXmlReport() {}

    /** {@code TEST-nonativeleak.<execution id>.xml}. */
    static String fileName(String executionId) {
        return "TEST-" + suiteName(executionId) + ".xml";
    }

    static String suiteName(String executionId) {
        return "nonativeleak." + executionId.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    static Kind kind(Verdict verdict) {
        if (verdict.passes()) return Kind.PASSED;
        RunAttempt run = verdict.run();
        if (run.report() == null) return Kind.ERROR;
        return switch (run.report().outcome()) {
            case FIXTURE_FAILED, CRASHED, TIMED_OUT -> Kind.ERROR;
            default -> Kind.FAILURE;
        };
    }

    /** Writes the file into each directory (created when missing); returns the files written. */
    static List<Path> write(List<Verdict> verdicts, String executionId, int top, List<Path> directories) throws IOException {
        String xml = render(verdicts, executionId, top);
        List<Path> written = new java.util.ArrayList<>();
        for (Path directory : directories) {
            Files.createDirectories(directory);
            Path file = directory.resolve(fileName(executionId));
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temporary, xml, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            written.add(file);
        }
        return written;
    }

    static String render(List<Verdict> verdicts, String executionId, int top) {
        String suite = suiteName(executionId);
        long failures = verdicts.stream().filter(v -> kind(v) == Kind.FAILURE).count();
        long errors = verdicts.stream().filter(v -> kind(v) == Kind.ERROR).count();
        long totalMillis = verdicts.stream().mapToLong(v -> millis(v.run())).sum();
        StringBuilder x = new StringBuilder(16 * 1024);
        x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<testsuite xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"")
                .append(SCHEMA).append("\" version=\"3.0.2\" name=\"").append(attr(suite)).append("\" time=\"").append(seconds(totalMillis))
                .append("\" tests=\"").append(verdicts.size()).append("\" errors=\"").append(errors).append("\" skipped=\"0\" failures=\"")
                .append(failures).append("\">\n");
        for (Verdict v : verdicts) testcase(x, v, suite, top);
        x.append("</testsuite>\n");
        return x.toString();
    }

    private static void testcase(StringBuilder x, Verdict v, String suite, int top) {
        RunAttempt run = v.run();
        x.append("  <testcase name=\"").append(attr(run.label())).append("\" classname=\"").append(attr(suite))
                .append("\" time=\"").append(seconds(millis(run))).append('"');
        RunReport report = run.report() == null ? null : run.report();
        Kind kind = kind(v);
        if (kind == Kind.PASSED && report == null) {
            x.append("/>\n");
            return;
        }
        x.append(">\n");
        if (kind != Kind.PASSED) {
            String element = kind == Kind.FAILURE ? "failure" : "error";
            String type = report == null ? "NOT_RUN" : report.outcome().name();
            String message = report == null ? "could not run: " + run.error() : v.message();
            String body = report == null ? run.error() : v.consoleText(top);
            x.append("    <").append(element).append(" message=\"").append(attr(message)).append("\" type=\"").append(attr(type)).append("\">")
                    .append(text(body)).append("</").append(element).append(">\n");
        }
        if (report != null) {
            String out = v.notes().isEmpty() ? "" : String.join("\n", v.notes()) + "\n";
            out += excerpt(report.stdout());
            if (!out.isEmpty()) x.append("    <system-out>").append(text(out)).append("</system-out>\n");
            String err = excerpt(report.stderr());
            if (!err.isEmpty()) x.append("    <system-err>").append(text(err)).append("</system-err>\n");
        }
        x.append("  </testcase>\n");
    }

    /** The fixture's own duration where it has a report, as the summary table shows it. */
    private static long millis(RunAttempt run) {
        return run.report() != null ? run.report().durationMillis() : run.millis();
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }

    /** The start and the end of an output file, the middle replaced by a line that says how much and where it all is. */
    static String excerpt(String file) {
        if (file == null) return "";
        Path path = Path.of(file);
        try {
            long size = Files.size(path);
            if (size <= OUTPUT_HEAD_BYTES + OUTPUT_TAIL_BYTES) return decode(Files.readAllBytes(path));
            try (InputStream in = Files.newInputStream(path)) {
                byte[] head = in.readNBytes(OUTPUT_HEAD_BYTES);
                in.skipNBytes(size - OUTPUT_HEAD_BYTES - OUTPUT_TAIL_BYTES);
                byte[] tail = in.readNBytes(OUTPUT_TAIL_BYTES);
                return decode(head) + "\n[... " + (size - head.length - tail.length) + " bytes left out; the whole output is in "
                        + path.toAbsolutePath() + " ...]\n" + decode(tail);
            }
        } catch (IOException e) {
            return "[output not readable: " + e.getMessage() + "]\n";
        }
    }

    /** UTF-8 with anything malformed (a multi-byte character cut at an edge, binary output) replaced. */
    private static String decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException(e); // cannot happen with REPLACE
        }
    }

    /** Element text: markup escaped, characters XML 1.0 cannot hold replaced by U+FFFD. */
    static String text(String s) {
        return escape(s, false);
    }

    /** Attribute value: as text, and line breaks and tabs kept as character references. */
    static String attr(String s) {
        return escape(s, true);
    }

    private static String escape(String s, boolean attribute) {
        if (s == null) return "";
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append(attribute ? "&quot;" : "\"");
                case '\n' -> out.append(attribute ? "&#10;" : "\n");
                case '\r' -> out.append("&#13;");
                case '\t' -> out.append(attribute ? "&#9;" : "\t");
                default -> {
                    boolean legal = (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
                    if (legal) out.appendCodePoint(c);
                    else out.append('\uFFFD');
                }
            }
        }
        return out.toString();
    }
}
