package io.nonativeleak.shim;

/** A malformed stack pattern, rejected before any process starts, with the position and the reason. */
public class InvalidPatternException extends NoNativeLeakException {
    private final String pattern;
    private final int position;
    private final String reason;

    public InvalidPatternException(String pattern, int position, String reason) {
        super("invalid stack pattern '" + pattern + "' at position " + position + ": " + reason + "\n    "
                + pattern + "\n    " + " ".repeat(Math.max(0, position - 1)) + "^");
        this.pattern = pattern;
        this.position = position;
        this.reason = reason;
    }

    public String pattern() {
        return pattern;
    }

    /** 1-based character position of the problem. */
    public int position() {
        return position;
    }

    public String reason() {
        return reason;
    }
}
