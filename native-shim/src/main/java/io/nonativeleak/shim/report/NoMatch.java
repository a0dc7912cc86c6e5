package io.nonativeleak.shim.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Why no allocation of the measured run matched (docs/patterns.md, Reading NO_MATCH): the report's {@code noMatch}, present whenever the
 * measured run matched nothing. Checked in the fixture's process at the checkpoint, where the patterns and the
 * loaded modules are known.
 *
 * @param kind   which of the cases holds (JSON {@code case})
 * @param reason the case explained in a sentence, with the names
 * @param frames every named frame of the patterns, looked up among the modules loaded at the checkpoint
 *               (empty when the lookup could not be made: see {@link Case#NOT_TRACKED})
 */
public record NoMatch(@JsonProperty("case") Case kind, String reason, List<Frame> frames) {

    /** The cases, most specific first. */
    public enum Case {
        /** No process that ran the measured run was tracked: the shim was not preloaded, an exec chain, a dead interpreter. */
        NOT_TRACKED,
        /** Allocations matched during warm-up, but none in the measured run. */
        WARMUP_ONLY,
        /** A named frame of a pattern exists in no loaded module (misspelt, inlined, stripped). */
        FRAME_NOT_LOADED,
        /** Every named frame exists, but no allocation reached the allocator through them in the measured run. */
        FRAMES_NOT_REACHED,
        /** No pattern was given (every allocation is tracked) and the measured run allocated nothing. */
        NOTHING_ALLOCATED
    }

    /**
     * One named frame of a pattern (a symbol name, a glob, or {@code obj:} a module glob).
     *
     * @param pattern    the pattern it is part of
     * @param name       the frame as the pattern writes it (one alternative of a matcher)
     * @param loaded     whether a loaded module has a function (or, for {@code obj:}, a file name) it matches;
     *                   {@code null} when it could not be checked (a C++ name: symbol tables hold mangled names)
     * @param module     where it was found, when it was
     * @param nearName   when it was not found: the nearest name a loaded module has (case or a small edit apart)
     * @param nearModule the module that near name lives in
     */
    public record Frame(String pattern, String name, @JsonInclude(JsonInclude.Include.ALWAYS) Boolean loaded,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String module,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String nearName,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String nearModule) {}
}
