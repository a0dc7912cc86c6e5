package io.nonativeleak.shim.report;

/**
 * One frame of the Python stack of the thread that allocated.
 *
 * @param file     the code's file name, relative to the project's base directory when inside it
 * @param line     the line being executed
 * @param function the function name ({@code <module>} for module-level code)
 * @param source   the text of that line, stripped, or {@code null} when the file cannot be read
 */
public record PyFrame(String file, int line, String function, String source) {
    /** {@code file:line in function}. */
    public String location() {
        return file + ":" + line + " in " + function;
    }
}
