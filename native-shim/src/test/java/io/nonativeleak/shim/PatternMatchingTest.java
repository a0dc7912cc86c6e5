package io.nonativeleak.shim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nonativeleak.shim.report.CFrame;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shim's own matcher and glob, called from Java on stacks as a report records them (the numpy one copied
 * from a real case-study report): what the maven plugin's suggestions and the JUnit assertions rely on.
 */
class PatternMatchingTest {
    private static final String NP = "_multiarray_umath.cpython-311-x86_64-linux-gnu.so";
    private static final String PY = "libpython3.11.so.1.0";
    private static final List<CFrame> SUBSCRIPT = List.of(f("default_malloc", NP), f("PyDataMem_UserNEW", NP),
            f("PyArray_NewFromDescr_int", NP), f("PyArray_NewFromDescr", NP), f("array_boolean_subscript", NP),
            f("array_subscript", NP), f("_PyEval_EvalFrameDefault", PY), f("PyEval_EvalCode", PY));

    private final Shim shim = Shim.load();

    private static CFrame f(String symbol, String module) {
        return new CFrame(symbol, module, "0x1000", false);
    }

    private boolean matches(String pattern, List<CFrame> stack) {
        return shim.stacks(List.of(stack)).matchedBy(pattern)[0];
    }

    @Test
    void theMatcherFollowsThePatternLanguage() {
        assertThat(matches("default_malloc ... array_boolean_subscript", SUBSCRIPT)).isTrue();
        assertThat(matches("default_malloc * * * array_boolean_subscript", SUBSCRIPT)).isTrue();
        assertThat(matches("default_malloc * array_boolean_subscript", SUBSCRIPT)).isFalse();
        assertThat(matches("PyDataMem_UserNEW", SUBSCRIPT)).isFalse();    // anchored at frame 0
        assertThat(shim.globMatches("*npy_alloc_cache*", "_npy_alloc_cache_dim")).isTrue();
        assertThat(shim.globMatches("operator\\*(*", "operator*(int)")).isTrue();
        assertThat(shim.globMatches("operator\\*(*", "operatorX(int)")).isFalse();
    }

    @Test
    void oneCallAnswersForEveryStackAndFramesWithoutANameOnlyObjOrAWildcardMatch() {
        List<CFrame> stripped = List.of(f(null, NP), f(null, NP), f("_PyEval_EvalFrameDefault", PY));
        List<CFrame> jit = List.of(f(null, null), f("jit_caller", "libjit.so"));
        Shim.Stacks stacks = shim.stacks(List.of(SUBSCRIPT, stripped, jit, List.of()));
        assertThat(stacks.matchedBy("obj:_multiarray_umath.cpython-*.so")).containsExactly(true, true, false, false);
        assertThat(stacks.matchedBy("* ... _PyEval_EvalFrameDefault")).containsExactly(true, true, false, false);
        assertThat(stacks.matchedBy("default_malloc|obj:_multiarray*")).containsExactly(true, true, false, false);
        assertThat(stacks.matchedBy("*default_malloc*|* jit_caller")).containsExactly(false, false, true, false);
        assertThat(stacks.matchedBy("*")).containsExactly(true, true, true, false);
        assertThat(stacks.matchedBy("...")).containsExactly(true, true, true, true);
    }

    @Test
    void wrappersBeforeFrameZeroAreSkippedAndAtMost64FramesAreMatched() {
        List<CFrame> wrapped = new ArrayList<>(List.of(new CFrame("PyMem_RawMalloc", PY, "0x10", true)));
        wrapped.addAll(SUBSCRIPT);
        assertThat(matches("default_malloc ... array_boolean_subscript", wrapped)).isTrue();
        assertThat(shim.matchedFrames(wrapped)).isEqualTo(SUBSCRIPT);

        List<CFrame> deep = new ArrayList<>(Collections.nCopies(63, f("f", "libx.so")));
        deep.add(f("frame63", "libx.so"));
        deep.add(f("frame64", "libx.so"));
        assertThat(shim.matchedFrames(deep)).hasSize(64);
        assertThat(matches("... frame63", deep)).isTrue();
        assertThat(matches("... frame64", deep)).as("the 65th frame is beyond what patterns see").isFalse();
    }

    @Test
    void aMalformedPatternIsRejectedWithThePositionAndTheReason() {
        assertThatThrownBy(() -> matches("default_malloc ... a||b", SUBSCRIPT))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessageContaining("position 22").hasMessageContaining("empty alternative");
    }

    /** Names with every character the language gives a meaning, escaped, match themselves and nothing else. */
    @Test
    void anEscapedNameMatchesExactlyThatName() {
        for (String name : List.of("weird|name*", "operator new(unsigned long)", "a?b", "back\\slash", "obj:thing", "obj::Pool::grow")) {
            String pattern = Shim.escape(name);
            shim.checkPattern(pattern);
            assertThat(matches(pattern, List.of(f(name, "libx.so")))).as(pattern).isTrue();
            assertThat(matches(pattern, List.of(f(name + "x", "libx.so")))).as(pattern).isFalse();
            assertThat(matches(pattern + " ... end", List.of(f(name, "libx.so"), f("end", "libx.so")))).as(pattern).isTrue();
            assertThat(matches("obj:" + pattern, List.of(f(null, name)))).as("obj:" + pattern).isTrue();
            assertThat(shim.globMatches(pattern, name)).as(pattern).isTrue();
        }
        assertThat(matches(Shim.escape("a?b"), List.of(f("axb", "libx.so")))).isFalse();
    }

    /**
     * A C++ namespace named {@code obj}: the maven plugin's Java port of the matcher read {@code obj::make(*} as a
     * symbol glob and took it to match {@code obj::make(int)}; the shim reads an {@code obj:} glob on the module
     * file name {@code :make(*}, which matches no such frame. Java's verdicts are now the shim's.
     */
    @Test
    void objAtTheStartOfASymbolGlobIsAModuleGlob() {
        List<CFrame> stack = List.of(f("obj::make(int)", "libobj.so"));
        assertThat(matches("obj::make(*", stack)).isFalse();
        assertThat(matches("obj::make(*", List.of(f("anything", ":make(1).so")))).isTrue();
        assertThat(matches("obj\\::make(*", stack)).isTrue();
    }
}
