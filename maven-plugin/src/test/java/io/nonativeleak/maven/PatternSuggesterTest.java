package io.nonativeleak.maven;

import static org.assertj.core.api.Assertions.assertThat;

import io.nonativeleak.shim.Shim;
import io.nonativeleak.shim.report.CFrame;
import io.nonativeleak.shim.report.LeakSite;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Suggestions on stacks as the shim records them (the numpy ones copied from a real case-study report):
 * each one is accepted by the shim's parser, matches its own site, and tells it apart from the others.
 */
class PatternSuggesterTest {
    private static final String NP = "_multiarray_umath.cpython-311-x86_64-linux-gnu.so";
    private static final String PY = "libpython3.11.so.1.0";

    private static CFrame f(String symbol, String module) {
        return new CFrame(symbol, module, "0x1000", false);
    }

    private static LeakSite site(CFrame... frames) {
        return new LeakSite(1, 100, 1, "MainThread", List.of(frames), List.of(), "CAPTURED", null, null);
    }

    private static final LeakSite SUBSCRIPT = site(f("default_malloc", NP), f("PyDataMem_UserNEW", NP),
            f("PyArray_NewFromDescr_int", NP), f("PyArray_NewFromDescr", NP), f("array_boolean_subscript", NP),
            f("array_subscript", NP), f("_PyEval_EvalFrameDefault", PY), f("PyEval_EvalCode", PY));
    private static final LeakSite ARANGE = site(f("default_malloc", NP), f("PyDataMem_UserNEW", NP),
            f("PyArray_NewFromDescr_int", NP), f("PyArray_NewFromDescr", NP), f("PyArray_Arange", NP),
            f("array_arange", NP), f("cfunction_vectorcall_FASTCALL_KEYWORDS", PY), f("_PyEval_EvalFrameDefault", PY));
    private static final LeakSite DIMS = site(f("PyArray_NewFromDescr_int", NP), f("PyArray_NewFromDescr", NP),
            f("ufunc_generic_fastcall", NP), f("object_vacall", PY), f("PyObject_CallFunctionObjArgs", PY),
            f("array_richcompare", NP), f("PyObject_RichCompare", PY), f("_PyEval_EvalFrameDefault", PY));

    private static String suggest(LeakSite site, LeakSite... run) {
        List<LeakSite> all = new ArrayList<>(List.of(run));
        if (!all.contains(site)) all.add(site);
        String pattern = new PatternSuggester(all).suggest(site);
        Shim.load().checkPattern(pattern);                          // the shim's own parser accepts it
        assertThat(Shim.load().stacks(List.of(site.cStack())).matchedBy(pattern)).as("the shim matches %s to its own site", pattern)
                .containsExactly(true);
        return pattern;
    }

    @Test
    void theCaseStudySiteGetsTheRecipeThatSurvivesNumpyVersionsAndInlining() {
        assertThat(suggest(SUBSCRIPT, SUBSCRIPT, ARANGE, DIMS)).isEqualTo("*npy_alloc_cache*|default_malloc ... array_boolean_subscript");
        assertThat(suggest(SUBSCRIPT)).isEqualTo("*npy_alloc_cache*|default_malloc ... array_boolean_subscript");
        assertThat(suggest(ARANGE, SUBSCRIPT, ARANGE, DIMS)).isEqualTo("*npy_alloc_cache*|default_malloc ... PyArray_Arange");
        // numpy inlines its dimension cache into PyArray_NewFromDescr_int; older versions show npy_alloc_cache_dim
        assertThat(suggest(DIMS, SUBSCRIPT, ARANGE, DIMS)).isEqualTo("*npy_alloc_cache*|PyArray_NewFromDescr_int ... ufunc_generic_fastcall");
    }

    @Test
    void aDistinctiveFrameZeroStandsAloneAndRivalsAddTheFrameThatTellsThemApart() {
        LeakSite viaA = site(f("leak_block", "libleaky.so"), f("caller_a", "libleaky.so"), f(null, "libffi.so.8"), f("ffi_call", "libffi.so.8"));
        LeakSite viaB = site(f("leak_block", "libleaky.so"), f("caller_b", "libleaky.so"), f(null, "libffi.so.8"), f("ffi_call", "libffi.so.8"));
        LeakSite other = site(f("leak_other", "libleaky.so"), f("caller_a", "libleaky.so"));
        assertThat(suggest(viaA)).isEqualTo("leak_block");
        assertThat(suggest(viaA, viaA, other)).isEqualTo("leak_block");
        assertThat(suggest(viaA, viaA, viaB)).isEqualTo("leak_block ... caller_a");
        assertThat(suggest(viaB, viaA, viaB)).isEqualTo("leak_block ... caller_b");
    }

    @Test
    void allocatorWrappersAreSkippedBeforeFrameZero() {
        LeakSite nrt = site(new CFrame("PyMem_RawMalloc", PY, "0x10", true), f("NRT_MemInfo_new", "_nrt_python.so"),
                f("NRT_adapt_ndarray_from_python", "_nrt_python.so"), f(null, null), f("_PyEval_EvalFrameDefault", PY));
        assertThat(suggest(nrt)).isEqualTo("NRT_MemInfo_new ... NRT_adapt_ndarray_from_python");
    }

    @Test
    void cloneSuffixesBecomeATrailingGlob() {
        assertThat(suggest(site(f("grow_table.constprop.0", "libx.so"), f("insert", "libx.so")))).isEqualTo("grow_table|grow_table.*");
        assertThat(suggest(site(f("table_alloc.constprop.0", "libx.so"), f("insert.part.1", "libx.so")))).isEqualTo("table_alloc|table_alloc.* ... insert|insert.*");
        assertThat(suggest(site(f("make_thing.isra.3.part.0", "libx.so")))).isEqualTo("make_thing|make_thing.*");
        assertThat(suggest(site(f("helper.cold", "libx.so")))).isEqualTo("helper|helper.*");
    }

    @Test
    void demangledCppNamesLoseTheirParameterListsAndSpaces() {
        LeakSite llvm = site(f("operator new(unsigned long)", "libstdc++.so.6"),
                f("llvm::X86TargetMachine::getSubtargetImpl(llvm::Function const&) const", "libllvmlite.so"),
                f("llvm::PassBuilder::buildFunctionSimplificationPipeline(llvm::OptimizationLevel, llvm::ThinOrFullLTOPhase) [clone .localalias]", "libllvmlite.so"));
        assertThat(suggest(llvm)).isEqualTo("operator?new(* ... llvm::X86TargetMachine::getSubtargetImpl(*");
        LeakSite clone = site(f("Foo::bar(int) [clone .localalias]", "libx.so"));
        assertThat(suggest(clone)).isEqualTo("Foo::bar(*");
        LeakSite star = site(f("operator*(Vec const&, Vec const&)", "libx.so"));
        assertThat(suggest(star)).isEqualTo("operator\\*(*");
    }

    @Test
    void framesWithoutASymbolAreMatchedByModuleOrByAnyFrame() {
        assertThat(suggest(site(f(null, "libfoo.so.1.2"), f("foo_entry", "libfoo.so.1.2")))).isEqualTo("obj:libfoo.so* ... foo_entry");
        assertThat(suggest(site(f(null, "_ext.cpython-311-x86_64-linux-gnu.so")))).isEqualTo("obj:_ext.cpython-*.so");
        assertThat(suggest(site(f(null, null), f("jit_caller", "libjit.so")))).isEqualTo("* ... jit_caller");
        assertThat(new PatternSuggester(List.of()).suggest(site())).isNull();
    }

    /**
     * Names the pattern language reads otherwise than as they are: a C++ namespace called {@code obj} (an
     * {@code obj:} glob on the module otherwise) and a module file name with a space (two matchers otherwise).
     * The Java port of the matcher took the unescaped suggestions to match their own sites; the shim did not.
     */
    @Test
    void suggestionsEscapeWhatThePatternLanguageWouldReadOtherwise() {
        assertThat(suggest(site(f("obj::Pool::grow(unsigned long)", "libobj.so")))).isEqualTo("obj\\::Pool::grow(*");
        assertThat(suggest(site(f(null, "my lib.so.1"), f("entry", "my lib.so.1")))).isEqualTo("obj:my\\ lib.so* ... entry");
    }
}
