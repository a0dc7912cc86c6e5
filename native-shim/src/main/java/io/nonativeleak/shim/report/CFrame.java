package io.nonativeleak.shim.report;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One frame of an allocation's C stack.
 *
 * @param symbol  the function, or {@code null} when no symbol honestly covers the address (stripped code)
 * @param module  the basename of the module file, or {@code null} for code in no module (JIT code)
 * @param offset  the address relative to the module's load address, in hex ({@code addr2line -e module offset})
 * @param wrapper true for CPython's raw-allocator wrappers, skipped before frame 0 is counted
 */
public record CFrame(
        @JsonInclude(JsonInclude.Include.ALWAYS) String symbol,
        String module,
        String offset,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean wrapper) {

    /** {@code symbol} when known, else {@code module+0xOFFSET}. */
    public String describe() {
        if (symbol != null) return symbol;
        return (module != null ? module : "?") + "+" + offset;
    }
}
