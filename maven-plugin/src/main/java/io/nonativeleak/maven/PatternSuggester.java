package io.nonativeleak.maven;

import io.nonativeleak.shim.Shim;
import io.nonativeleak.shim.report.CFrame;
import io.nonativeleak.shim.report.LeakSite;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Suggests, for each live site a discover run found, a stack pattern that would guard it in {@code check}.
 *
 * <p>The suggestion is anchored at frame 0 (the first frame that is not an allocator wrapper), then names a
 * few distinctive frames of the same native call path, each after a {@code ...} gap, so that it survives
 * inlining and new intermediate frames:
 * <ul>
 *   <li>frame 0 always; where its name is known to differ between library versions it becomes an
 *       alternative ({@code default_malloc} → {@code *npy_alloc_cache*|default_malloc});</li>
 *   <li>when frame 0 is a generic allocation routine, a named frame of the native call path (before the
 *       interpreter's call machinery: {@code _PyEval_*}, {@code *vectorcall*}, libffi, ...) that is not
 *       allocation plumbing itself (alloc, new, mem in its name), the rarest among the run's sites, the
 *       nearest to frame 0 among equals: {@code array_boolean_subscript}, not {@code PyDataMem_UserNEW};</li>
 *   <li>then, while other live sites of the run would still match, the frame that tells them apart.</li>
 * </ul>
 * Compiler clone suffixes ({@code .constprop.N}, {@code .isra.N}, {@code .part.N}, {@code .cold}, C++'s
 * {@code [clone ...]}) become a trailing glob, C++ parameter lists become {@code (*}, and a frame without
 * a symbol is matched by its module ({@code obj:libfoo.so*}) or by {@code *}. Which sites a pattern would
 * match is the shim's own matcher's answer.
 */
final class PatternSuggester {
    /** Frames looked at after frame 0 for the native call path. */
    private static final int PATH_LIMIT = 24;

    /** Frame-0 names that differ between versions of a library: numpy 1.x's allocation cache, numpy 2.x's default handler. */
    private static final Map<String, String> VERSION_ALTERNATIVES = Map.of(
            "default_malloc", "*npy_alloc_cache*|default_malloc",
            "default_calloc", "*npy_alloc_cache*|default_calloc",
            "npy_alloc_cache", "*npy_alloc_cache*|default_malloc",
            "_npy_alloc_cache", "*npy_alloc_cache*|default_malloc",
            "npy_alloc_cache_zero", "*npy_alloc_cache*|default_calloc",
            "PyArray_NewFromDescr_int", "*npy_alloc_cache*|PyArray_NewFromDescr_int");

    /** The interpreter's and the FFI's call machinery: where a native call path ends. */
    private static final Pattern CALL_MACHINERY = Pattern.compile(
            "_?PyEval_.*|_PyObject_(Call|Vectorcall|MakeTpCall|FastCall).*|PyObject_(Call|Vectorcall|VectorcallMethod).*"
            + "|.*[vV]ectorcall.*|_PyFunction_.*|cfunction_.*|method_.*call.*|slot_tp_.*|call_function.*|object_vacall"
            + "|ffi_call.*|_ctypes_callproc|PyCFuncPtr_call|builtin_exec|run_mod|run_eval_code_obj|_?PyRun_.*|pyrun_.*"
            + "|Py_RunMain|pymain_.*|Py_BytesMain|main|__libc_start.*|_start|start_thread|clone3?|thread_run|pythread_wrapper");
    private static final Pattern CALL_MACHINERY_MODULES = Pattern.compile("libffi\\.so.*|libc\\.so.*|ld-linux.*");
    /** Names that say "allocation plumbing" (allocators, constructors) rather than "this feature". */
    private static final Pattern GENERIC_ALLOCATOR = Pattern.compile("(?i).*(alloc|new|datamem|pymem|mem_|memory|resize).*");
    private static final Pattern CLONE_SUFFIX = Pattern.compile("^(.+?)((\\.(constprop|isra|part|cold|lto_priv|localalias|clone|llvm)(\\.\\d+)?)+)$");
    private static final Pattern CPP_CLONE = Pattern.compile(" \\[clone [^\\]]*\\]");

    private final Shim shim = Shim.load();
    /** The sites' frames as patterns see them, and the same handed to the shim's matcher. */
    private final List<List<CFrame>> stacks = new ArrayList<>();
    private final Shim.Stacks matchable;
    private final Map<String, Integer> siteFrequency = new HashMap<>();

    PatternSuggester(List<LeakSite> sites) {
        for (LeakSite site : sites) {
            List<CFrame> frames = frames(site);
            stacks.add(frames);
            Set<String> seen = new HashSet<>();
            for (CFrame frame : frames) if (frame.symbol() != null && seen.add(frame.symbol())) siteFrequency.merge(frame.symbol(), 1, Integer::sum);
        }
        matchable = shim.stacks(stacks);
    }

    private List<CFrame> frames(LeakSite site) {
        return shim.matchedFrames(site.cStack());
    }

    /** A pattern that matches the site and, where the stacks allow, no other site of the run; null without a C stack. */
    String suggest(LeakSite site) {
        List<CFrame> frames = frames(site);
        if (frames.isEmpty()) return null;
        CFrame first = frames.get(0);
        String anchor = frameZero(first);
        TreeSet<Integer> chosen = new TreeSet<>();

        int pathEnd = 1;
        while (pathEnd < Math.min(frames.size(), PATH_LIMIT) && !isCallMachinery(frames.get(pathEnd))) pathEnd++;
        List<Integer> path = candidates(frames, 1, pathEnd);
        List<Integer> beyond = candidates(frames, pathEnd, frames.size());

        boolean genericAnchor = first.symbol() == null || VERSION_ALTERNATIVES.containsKey(first.symbol())
                || GENERIC_ALLOCATOR.matcher(first.symbol()).matches() || frequency(first) > 1;
        if (genericAnchor && !path.isEmpty()) {
            int rarest = path.get(0);
            if (first.symbol() == null || !isPlumbing(frames.get(rarest)) || frequency(frames.get(rarest)) < frequency(first)) chosen.add(rarest);
        }

        Set<Integer> rivals = rivals(frames, build(frames, anchor, chosen));
        for (List<Integer> pool : List.of(path, beyond)) {
            for (int index : pool) {
                if (rivals.isEmpty()) break;
                if (chosen.contains(index)) continue;
                TreeSet<Integer> trial = new TreeSet<>(chosen);
                trial.add(index);
                Set<Integer> remaining = rivals(frames, build(frames, anchor, trial));
                remaining.retainAll(rivals);
                if (remaining.size() < rivals.size()) {
                    chosen = trial;
                    rivals = remaining;
                }
            }
        }
        return build(frames, anchor, chosen);
    }

    private List<Integer> candidates(List<CFrame> frames, int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            CFrame f = frames.get(i);
            if (f.symbol() != null && !isCallMachinery(f)) out.add(i);
        }
        out.sort(Comparator.comparing((Integer i) -> isPlumbing(frames.get(i)))
                .thenComparingInt(i -> frequency(frames.get(i))).thenComparingInt(i -> i));
        return out;
    }

    private static boolean isPlumbing(CFrame frame) {
        return frame.symbol() != null && GENERIC_ALLOCATOR.matcher(frame.symbol()).matches();
    }

    private int frequency(CFrame frame) {
        return frame.symbol() == null ? Integer.MAX_VALUE : siteFrequency.getOrDefault(frame.symbol(), 0);
    }

    /** The other sites (their indexes) whose stacks the pattern would also match (identical stacks cannot be told apart). */
    private Set<Integer> rivals(List<CFrame> own, String pattern) {
        boolean[] matched = matchable.matchedBy(pattern);
        Set<Integer> out = new HashSet<>();
        for (int i = 0; i < matched.length; i++) if (matched[i] && !sameStack(stacks.get(i), own)) out.add(i);
        return out;
    }

    private static boolean sameStack(List<CFrame> a, List<CFrame> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            if (!Objects.equals(a.get(i).symbol(), b.get(i).symbol()) || !Objects.equals(a.get(i).module(), b.get(i).module())) return false;
        }
        return true;
    }

    static boolean isCallMachinery(CFrame frame) {
        if (frame.symbol() != null && CALL_MACHINERY.matcher(frame.symbol()).matches()) return true;
        return frame.symbol() == null && frame.module() != null && CALL_MACHINERY_MODULES.matcher(frame.module()).matches();
    }

    /** The anchor, then each chosen frame after a {@code ...} gap. */
    private static String build(List<CFrame> frames, String anchor, Set<Integer> chosen) {
        StringBuilder pattern = new StringBuilder(anchor);
        for (int index : chosen) pattern.append(" ... ").append(frameMatcher(frames.get(index)));
        return pattern.toString();
    }

    private static String frameZero(CFrame frame) {
        String alternative = frame.symbol() == null ? null : VERSION_ALTERNATIVES.get(frame.symbol());
        return alternative != null ? alternative : frameMatcher(frame);
    }

    /** A matcher for one frame, loose where compilers and versions vary. */
    static String frameMatcher(CFrame frame) {
        if (frame.symbol() == null) return frame.module() == null ? "*" : "obj:" + moduleGlob(frame.module());
        String symbol = frame.symbol();
        boolean cpp = symbol.contains("(") || symbol.contains("::") || symbol.contains(" ");
        if (cpp) {
            String name = CPP_CLONE.matcher(symbol).replaceAll("");
            int paren = parameterListStart(name);
            String head = paren >= 0 ? name.substring(0, paren) : name;
            String words = Stream.of(head.split("\\s", -1)).map(Shim::escape).collect(Collectors.joining("?"));
            return words + (paren >= 0 ? "(*" : (name.equals(symbol) ? "" : "*"));
        }
        Matcher clone = CLONE_SUFFIX.matcher(symbol);
        if (clone.matches()) {
            String base = Shim.escape(clone.group(1));
            return base + "|" + base + ".*";
        }
        return Shim.escape(symbol);
    }

    private static final Pattern TRAILING_QUALIFIERS = Pattern.compile("(\\s*(const|volatile|&&|&))+$");

    /** Where a demangled name's parameter list starts (the '(' matching its final ')'), or -1. */
    static int parameterListStart(String name) {
        String bare = TRAILING_QUALIFIERS.matcher(name).replaceAll("");
        if (!bare.endsWith(")")) return -1;
        int depth = 0;
        for (int i = bare.length() - 1; i >= 0; i--) {
            char c = bare.charAt(i);
            if (c == ')') depth++;
            else if (c == '(' && --depth == 0) return i;
        }
        return -1;
    }

    /** {@code libpython3.11.so.1.0} → {@code libpython3.11.so*}, {@code _x.cpython-311-x86_64-linux-gnu.so} → {@code _x.cpython-*.so}. */
    static String moduleGlob(String module) {
        String glob = Shim.escape(module);
        glob = glob.replaceAll("\\.cpython-[^.]*\\.so$", ".cpython-*.so");
        glob = glob.replaceAll("-[0-9a-f]{8}\\.so", "-*.so");
        glob = glob.replaceAll("\\.so(\\.\\d+)+$", ".so*");
        return glob;
    }
}
