#!/usr/bin/env python3
"""NoNativeLeak overhead benchmark (issue 3, "Fast"): the shim against a plain run, heaptrack and memray.

    python3 bench/overhead.py --python VENV/bin/python --shim PATH/libnonativeleak.so [options]

Normally started by bench/run.sh, which builds the shim and prepares the venv. Standard library only.

Every repetition ("round") runs each mode once, in a rotating order, so that slow drifts of the
machine's load hit all modes alike; ratios are the median of the per-round ratios against the plain
run of the same round. Wall time is measured around the whole process (start-up, imports, the
workload, exit); CPU time and peak RSS come from the OS through os.wait4(). ru_maxrss of a child
reaped with wait4 is the largest peak of that child and of every descendant it reaped itself, so for
heaptrack (a shell script with helper processes) it is the largest process of the tool's tree; the
per-process split (target vs. helper) comes from sampling VmHWM in /proc while such a mode runs.

Each shim run is checked, not just timed: the runner's result.json must say "completed", and the
shim's data file must exist, be checkpointed, have Python stacks enabled and hold matched allocations.
A failed check stops the benchmark with an error (exit 2). Bounds from issue 3 are evaluated and
printed; --enforce-bounds makes a missed bound exit 1.
"""
import argparse
import datetime
import glob
import json
import mmap
import os
import platform
import random
import shlex
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SHARED_BENCH = os.path.normpath(os.path.join(REPO, "..", "shared", "bench"))
RUNNER = os.path.join(REPO, "native-shim", "src", "main", "python", "nonativeleak_runner.py")
GATE_PATTERN = "*npy_alloc_cache*|default_malloc ... array_boolean_subscript"
MIB = 1024 * 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Bounds of issue 3 (reference workload only).
GATE_MAX_RATIO = 1.10
DISCOVER_MAX_RATIO = 1.5
MAX_RSS_DELTA_MIB = 16
# Bounds of issue 14 (tracking at scale): the many-live workloads and PYTHONMALLOC=malloc.
LIVE_MAX_RATIO = 1.3
PYTHONMALLOC_MAX_RATIO = 2.0
RSS_BYTES_PER_LIVE = 40
WORKLOADS = ("reference", "case-study", "startup", "live-1m", "live-4m", "pythonmalloc")


class BenchError(Exception):
    """A run failed or its report was not what it should be: the numbers would mean nothing."""


# ---------------------------------------------------------------------------------------------
# The shim's data file (native-shim/src/main/c/format.h; read like ProcessDataReader.java, with the
# offsets the header declares, as `make print-layout` prints them)

_LAYOUT = {}


def layout():
    """format.h's offsets and constants by FileLayout's names (src/test/c/layout.c)."""
    if not _LAYOUT:
        out = subprocess.check_output(["make", "-s", "--no-print-directory", "-C", os.path.join(REPO, "native-shim"),
                                       "print-layout"], text=True)
        for line in out.splitlines():
            name, value = line.split(" ", 1)
            _LAYOUT[name] = value if name == "FILE_MAGIC" else int(value)
    return _LAYOUT


def read_data_file(path):
    """The header counters of one proc-*.nnl file and the number of allocations live at its end."""
    f_ = layout()
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ) as data:
        def u32(offset):
            return struct.unpack_from("<I", data, offset)[0]

        def i32(offset):
            return struct.unpack_from("<i", data, offset)[0]

        def u64(offset):
            return struct.unpack_from("<Q", data, offset)[0]

        magic = bytes(data[0:8])
        if magic != f_["FILE_MAGIC"].encode():
            raise BenchError(f"{path}: not a NoNativeLeak data file (magic {magic!r})")
        version = u32(f_["HEADER_VERSION"])
        if version != f_["FILE_VERSION"]:
            raise BenchError(f"{path}: data format version {version}, this checkout's shim writes {f_['FILE_VERSION']}")
        key_at, value_at, entry_bytes = f_["LIVE_ENTRY_KEY"], f_["LIVE_ENTRY_VALUE"], f_["LIVE_ENTRY_BYTES"]
        if not key_at + 8 <= value_at <= entry_bytes - 8:
            raise BenchError("format.h's live entry no longer has its key before its value")
        entry = struct.Struct(f"<{key_at}xQ{value_at - key_at - 8}xQ{entry_bytes - value_at - 8}x")
        size_mask = (1 << f_["ENTRY_FIELD_BITS"]) - 1  # the value's low bits: the size
        live_count = live_bytes = 0
        for shard in range(f_["SHARDS"]):
            table = u64(f_["HEADER_SHARDS"] + f_["SHARD_HEADER_BYTES"] * shard + f_["SHARD_HEADER_TABLE_OFFSET"])
            if not table:
                continue
            capacity = u64(table + f_["TABLE_HEADER_CAPACITY"])
            start = table + f_["TABLE_HEADER_BYTES"]
            # In small pieces, never mapped: a child's ru_maxrss starts from this process's peak (vfork,
            # then exec), so touching a big table here would inflate the RSS of every later run.
            end, piece = start + capacity * entry.size, 4096 * entry.size
            for offset in range(start, end, piece):
                for key, value in entry.iter_unpack(os.pread(f.fileno(), min(piece, end - offset), offset)):
                    if key > 1:  # 0 empty, 1 deleted
                        live_count += 1
                        live_bytes += value & size_mask
        return {"version": version, "pid": i32(f_["HEADER_PID"]), "checkpointNs": u64(f_["HEADER_CHECKPOINT_NS"]),
                "end": u32(f_["HEADER_END"]), "exitStatus": i32(f_["HEADER_EXIT_STATUS"]),
                "pythonStatus": u32(f_["HEADER_PYTHON_STATUS"]), "matchedCount": u64(f_["HEADER_MATCHED_COUNT"]),
                "matchedBytes": u64(f_["HEADER_MATCHED_BYTES"]), "droppedCount": u64(f_["HEADER_DROPPED_COUNT"]),
                "liveCount": live_count, "liveBytes": live_bytes}


# ---------------------------------------------------------------------------------------------
# Modes

class Mode:
    """How to start one run of a workload, and how to check what it left behind."""

    def __init__(self, key, label, describe, helpers=False):
        self.key, self.label, self.describe, self.helpers = key, label, describe, helpers

    def command(self, ctx, workload, run_dir):  # -> (argv, extra env)
        raise NotImplementedError

    def check(self, ctx, workload, run_dir, facts):
        """A short text for the table; raises BenchError. May add what it measured to facts."""
        return "exit 0"


class Plain(Mode):
    def command(self, ctx, workload, run_dir):
        return [ctx.python, workload.script, *workload.args], dict(workload.env)


class PlainPreload(Mode):
    def command(self, ctx, workload, run_dir):
        return [ctx.python, workload.script, *workload.args], {"LD_PRELOAD": ctx.shim, **workload.env}


class ShimRun(Mode):
    """The shim as the Java launcher starts it (FixtureLauncher.start), without the JVM."""

    def __init__(self, key, label, describe, gate, expect_no_live):
        super().__init__(key, label, describe)
        self.gate, self.expect_no_live = gate, expect_no_live

    def command(self, ctx, workload, run_dir):
        with open(os.path.join(run_dir, "patterns"), "w") as out:
            if self.gate:
                out.write(f"pattern {workload.gate_pattern}\n")
        spec = {"shim": ctx.shim, "kind": "script", "target": workload.script, "args": workload.args,
                "warmup": 0, "result": os.path.join(run_dir, "result.json")}
        spec_file = os.path.join(run_dir, "spec.json")
        with open(spec_file, "w") as out:
            json.dump(spec, out)
        env = {"LD_PRELOAD": ctx.shim, "NONATIVELEAK_RUN_DIR": run_dir, "NONATIVELEAK_AWAIT_RUNNER": "1",
               "PYTHONUNBUFFERED": "1", **workload.env}
        return [ctx.python, RUNNER, spec_file], env

    def check(self, ctx, workload, run_dir, facts):
        result_file = os.path.join(run_dir, "result.json")
        if not os.path.isfile(result_file):
            raise BenchError(f"{self.label}: the runner wrote no result.json")
        with open(result_file) as f:
            result = json.load(f)
        if result.get("status") != "completed":
            raise BenchError(f"{self.label}: runner status {result.get('status')!r}: {result.get('error')}")
        files = sorted(glob.glob(os.path.join(run_dir, "proc-*.nnl")))
        if len(files) != 1:
            raise BenchError(f"{self.label}: expected one data file, found {files}")
        data = read_data_file(files[0])
        if not data["checkpointNs"]:
            raise BenchError(f"{self.label}: the data file holds no checkpoint")
        if data["pythonStatus"] != layout()["PYTHON_ENABLED"]:
            raise BenchError(f"{self.label}: the data file says Python stacks were not enabled")
        if data["matchedCount"] <= 0:
            raise BenchError(f"{self.label}: no allocation matched (matched count 0)")
        if data["droppedCount"]:
            raise BenchError(f"{self.label}: {data['droppedCount']} matched allocations were dropped")
        if self.gate and workload.gate_matches is not None and data["matchedCount"] != workload.gate_matches:
            raise BenchError(f"{self.label}: pattern `{workload.gate_pattern}` matched {data['matchedCount']} "
                             f"allocations, not the workload's {workload.gate_matches}")
        if self.expect_no_live and data["liveCount"]:
            raise BenchError(f"{self.label}: {data['liveCount']} matched allocations live at the checkpoint "
                             f"of a workload that leaks nothing")
        facts["liveCount"] = data["liveCount"]
        return (f"completed, stacks on, matched {data['matchedCount']} "
                f"({data['matchedBytes'] / MIB:.0f} MiB), live at checkpoint {data['liveCount']}")


class Heaptrack(Mode):
    def command(self, ctx, workload, run_dir):
        return [ctx.heaptrack, "-o", os.path.join(run_dir, "heaptrack"),
                ctx.python, workload.script, *workload.args], dict(workload.env)

    def check(self, ctx, workload, run_dir, facts):
        outputs = [p for p in glob.glob(os.path.join(run_dir, "heaptrack.*")) if os.path.getsize(p) > 0]
        if not outputs:
            raise BenchError(f"{self.label}: no heaptrack output in {run_dir}")
        return f"exit 0, {os.path.basename(outputs[0])} {os.path.getsize(outputs[0]) // 1024} KiB"


class Memray(Mode):
    def __init__(self, key, label, describe, native, python_allocators=False):
        super().__init__(key, label, describe)
        self.native, self.python_allocators = native, python_allocators

    def command(self, ctx, workload, run_dir):
        native = ["--native"] if self.native else []
        env = dict(workload.env)
        if self.python_allocators:
            # memray's own way to see small objects: it hooks pymalloc, so PYTHONMALLOC stays as it is.
            native.append("--trace-python-allocators")
            env.pop("PYTHONMALLOC", None)
        return [ctx.python, "-m", "memray", "run", *native, "-q", "-o", os.path.join(run_dir, "memray.bin"),
                workload.script, *workload.args], env

    def check(self, ctx, workload, run_dir, facts):
        out = os.path.join(run_dir, "memray.bin")
        if not os.path.isfile(out) or os.path.getsize(out) == 0:
            raise BenchError(f"{self.label}: no memray output")
        return f"exit 0, memray.bin {os.path.getsize(out) // 1024} KiB"


MODES = {m.key: m for m in [
    Plain("plain", "plain", "`python numpy_subscript.py 100000`, nothing preloaded"),
    PlainPreload("preload", "plain preload",
                 "the same command with `LD_PRELOAD=libnonativeleak.so` but no run directory: the shim "
                 "is dormant, this is the pure cost of interposing the allocator family"),
    ShimRun("gate", "gate", "the runner under the shim, the workload's gate pattern, Python stacks on",
            gate=True, expect_no_live=True),
    ShimRun("discover", "discover", "the runner under the shim, no pattern: every allocation of the "
            "measured run tracked, with its C and Python stacks", gate=False, expect_no_live=False),
    Heaptrack("heaptrack", "heaptrack", "`heaptrack -o FILE python numpy_subscript.py 100000`", helpers=True),
    Memray("memray-native", "memray --native", "`python -m memray run --native -q -o FILE ...`: "
           "Python and native stacks, the tool comparable to discover", native=True),
    Memray("memray", "memray", "`python -m memray run -q -o FILE ...`: Python stacks only", native=False),
    Memray("memray-pyalloc", "memray --native --trace-python-allocators",
           "`python -m memray run --native --trace-python-allocators ...` with pymalloc left on: memray's way "
           "to see small objects", native=True, python_allocators=True),
]}


class Workload:
    """One script and its arguments, the modes run on it, and the environment of every mode (such
    as PYTHONMALLOC=malloc); the gate mode uses gate_pattern, which must match gate_matches
    allocations exactly when that is known."""

    def __init__(self, key, title, script, args, modes, env=None, gate_pattern=GATE_PATTERN, gate_matches=None,
                 live=0):
        self.key, self.title, self.script, self.args, self.modes = key, title, script, args, modes
        self.env, self.gate_pattern, self.gate_matches, self.live = env or {}, gate_pattern, gate_matches, live


# ---------------------------------------------------------------------------------------------
# Running and measuring one process (tree)

class TreeSampler(threading.Thread):
    """Samples VmHWM (peak RSS) of every process below root: the per-process split for tools with
    helper processes. wait4 still gives the exact maximum of the whole tree."""

    def __init__(self, root, interval):
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peaks = {}  # pid -> (comm, VmHWM KiB)
        self.stop = threading.Event()

    def _children(self, pid):
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                return [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            return []

    def _sample(self):
        pending = [self.root]
        while pending:
            pid = pending.pop()
            pending.extend(self._children(pid))
            try:
                with open(f"/proc/{pid}/status") as f:
                    status = f.read()
            except OSError:
                continue
            comm, hwm = None, None
            for line in status.splitlines():
                if line.startswith("Name:"):
                    comm = line.split(None, 1)[1].strip() if len(line.split(None, 1)) > 1 else ""
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
            if hwm is not None:
                old = self.peaks.get(pid, (comm, 0))
                self.peaks[pid] = (comm, max(old[1], hwm))

    def run(self):
        while not self.stop.is_set():
            self._sample()
            self.stop.wait(self.interval)


def busy_jiffies():
    """(busy, total) jiffies of all CPUs from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields[:8]) - idle, sum(fields[:8])


def wait_for_quiet(ctx):
    """Waits (at most ctx.quiet_wait seconds) until the rest of the machine uses less than
    ctx.quiet_cores CPUs over a 0.3 s window. Returns the seconds waited."""
    if ctx.quiet_wait <= 0:
        return 0.0
    started = time.monotonic()
    while True:
        before = busy_jiffies()
        time.sleep(0.3)
        after = busy_jiffies()
        cores = (after[0] - before[0]) / CLOCK_TICKS / 0.3
        waited = time.monotonic() - started
        if cores < ctx.quiet_cores or waited >= ctx.quiet_wait:
            return waited


def run_once(ctx, mode, workload, round_no):
    ctx.waited += wait_for_quiet(ctx)
    run_dir = tempfile.mkdtemp(prefix=f"{workload.key}-{mode.key}-r{round_no}-", dir=ctx.scratch)
    argv, extra = mode.command(ctx, workload, run_dir)
    env = dict(ctx.base_env)
    env.update(extra)
    stdout_path, stderr_path = os.path.join(run_dir, "stdout.log"), os.path.join(run_dir, "stderr.log")
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        jiffies_before = busy_jiffies()
        started = time.perf_counter()
        process = subprocess.Popen(argv, env=env, cwd=run_dir, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        sampler = None
        if mode.helpers:
            sampler = TreeSampler(process.pid, ctx.sample_interval)
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        jiffies_after = busy_jiffies()
        process.returncode = os.waitstatus_to_exitcode(status)
    if sampler:
        sampler.stop.set()
        sampler.join()
    if process.returncode != 0:
        with open(stderr_path, errors="replace") as f:
            tail = f.read()[-3000:]
        raise BenchError(f"{mode.label} on {workload.key} exited with {process.returncode}: "
                         f"{shlex.join(argv)}\n{tail}")
    facts = {}
    note = mode.check(ctx, workload, run_dir, facts)
    cpu = usage.ru_utime + usage.ru_stime
    # CPU time the rest of the machine used while this run ran, in cores: 0 on an idle machine.
    others = max(0.0, ((jiffies_after[0] - jiffies_before[0]) / CLOCK_TICKS - cpu) / wall)
    sample = {"wall": wall, "cpu": cpu, "maxrssKiB": usage.ru_maxrss, "otherCores": others, "check": note, **facts}
    if sampler:
        targets = [kib for comm, kib in sampler.peaks.values() if comm.startswith("python")]
        helpers = [(kib, comm) for comm, kib in sampler.peaks.values() if not comm.startswith("python")]
        sample["targetKiB"] = max(targets) if targets else None
        if helpers:
            kib, comm = max(helpers)
            sample["helperKiB"], sample["helperName"] = kib, comm
    if not ctx.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    return sample


# ---------------------------------------------------------------------------------------------
# Statistics and the table

def summarize(workload, rounds):
    """rounds: list of {mode: sample}. Per mode: medians, min/max, median of per-round ratios."""
    summary = {}
    for key in workload.modes:
        samples = [r[key] for r in rounds]
        walls = [s["wall"] for s in samples]
        rss = [s["maxrssKiB"] / 1024 for s in samples]
        entry = {
            "wall": statistics.median(walls), "wallMin": min(walls), "wallMax": max(walls),
            "cpu": statistics.median(s["cpu"] for s in samples),
            "minRatio": min(walls) / min(r["plain"]["wall"] for r in rounds),
            "otherCores": statistics.median(s["otherCores"] for s in samples),
            "ratio": statistics.median(r[key]["wall"] / r["plain"]["wall"] for r in rounds),
            "ratioMin": min(r[key]["wall"] / r["plain"]["wall"] for r in rounds),
            "ratioMax": max(r[key]["wall"] / r["plain"]["wall"] for r in rounds),
            "cpuRatio": statistics.median(r[key]["cpu"] / r["plain"]["cpu"] for r in rounds),
            "rssMiB": statistics.median(rss), "rssMaxMiB": max(rss),
            "rssDeltaMiB": statistics.median(r[key]["maxrssKiB"] / 1024 - r["plain"]["maxrssKiB"] / 1024
                                             for r in rounds),
            "check": samples[-1]["check"],
            "walls": walls,
        }
        if all("liveCount" in s for s in samples):
            entry["liveCount"] = statistics.median(s["liveCount"] for s in samples)
        targets = [s["targetKiB"] / 1024 for s in samples if s.get("targetKiB")]
        helpers = [s["helperKiB"] / 1024 for s in samples if s.get("helperKiB")]
        if targets:
            entry["targetMiB"] = statistics.median(targets)
        if helpers:
            entry["helperMiB"] = statistics.median(helpers)
            entry["helperName"] = samples[-1].get("helperName")
        summary[key] = entry
    return summary


def table(workload, summary):
    lines = [
        "| mode | median wall (s) | min – max (s) | ratio vs plain | min/min ratio | CPU ratio "
        "| peak RSS (MiB) | RSS vs plain (MiB) | largest helper (MiB) | other load (cores) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key in workload.modes:
        s, mode = summary[key], MODES[key]
        helper = f"{s['helperMiB']:.0f} ({s['helperName']})" if "helperMiB" in s else "–"
        rss = f"{s['rssMiB']:.1f}"
        if "targetMiB" in s:
            rss += f" (python {s['targetMiB']:.1f})"
        lines.append(
            f"| {mode.label} | {s['wall']:.3f} | {s['wallMin']:.3f} – {s['wallMax']:.3f} | "
            f"{s['ratio']:.3f}× | {s['minRatio']:.3f}× | {s['cpuRatio']:.3f}× | {rss} | "
            f"{s['rssDeltaMiB']:+.1f} | {helper} | {s['otherCores']:.2f} |")
    lines += ["", "What each run reported (last round):", ""]
    lines += [f"- {MODES[key].label}: {summary[key]['check']}" for key in workload.modes]
    return "\n".join(lines)


def bounds(summary):
    """The bounds of issue 3 on the reference workload: (text, passed)."""
    out = []
    if "gate" in summary:
        g = summary["gate"]
        out.append((f"gate wall ≤ {GATE_MAX_RATIO:.2f}× plain: {g['ratio']:.3f}×", g["ratio"] <= GATE_MAX_RATIO))
    if "discover" in summary:
        d = summary["discover"]
        out.append((f"discover wall ≤ {DISCOVER_MAX_RATIO:.2f}× plain: {d['ratio']:.3f}×",
                    d["ratio"] <= DISCOVER_MAX_RATIO))
        if "heaptrack" in summary:
            h = summary["heaptrack"]
            out.append((f"discover faster than heaptrack: {d['ratio']:.3f}× vs {h['ratio']:.3f}× "
                        f"(median wall {d['wall']:.3f} s vs {h['wall']:.3f} s)", d["wall"] < h["wall"]))
    for key in ("gate", "discover"):
        if key in summary:
            delta = summary[key]["rssDeltaMiB"]
            out.append((f"{key} peak RSS ≤ plain + {MAX_RSS_DELTA_MIB} MiB: {delta:+.1f} MiB",
                        delta <= MAX_RSS_DELTA_MIB))
    return out


def scale_bounds(workload, summary):
    """The bounds of issue 14 on the many-live and PYTHONMALLOC=malloc workloads: (text, passed)."""
    out = []
    limit = LIVE_MAX_RATIO if workload.live else PYTHONMALLOC_MAX_RATIO
    for key in ("discover", "gate") if workload.live else ("discover",):
        if key not in summary:
            continue
        r = summary[key]["ratio"]
        out.append((f"{key} wall ≤ {limit:.2f}× plain: {r:.3f}×", r <= limit))
        if "memray-native" in summary:
            m = summary["memray-native"]["ratio"]
            out.append((f"{key} below memray --native: {r:.3f}× vs {m:.3f}×", r < m))
        # Blocks live at the peak: known for the many-live workloads, else those live at the checkpoint
        # (no more than at the peak, so the bound is if anything stricter).
        live = workload.live or summary[key].get("liveCount")
        if live is not None:
            allowed = RSS_BYTES_PER_LIVE * live / MIB + MAX_RSS_DELTA_MIB
            delta = summary[key]["rssDeltaMiB"]
            counted = "" if workload.live else f", {live:,.0f} live at the checkpoint"
            out.append((f"{key} peak RSS ≤ plain + {RSS_BYTES_PER_LIVE} B per live block + {MAX_RSS_DELTA_MIB} MiB "
                        f"(+{allowed:.1f} MiB{counted}): {delta:+.1f} MiB", delta <= allowed))
    return out


def all_bounds(results):
    verdicts = []
    for key, r in results.items():
        if key == "reference":
            verdicts += bounds(r["summary"])
        elif key.startswith("live-") or key == "pythonmalloc":
            verdicts += scale_bounds(r["workload"], r["summary"])
    return verdicts


# ---------------------------------------------------------------------------------------------
# Context: interpreter, tools, machine

def probe_python(python):
    code = ("import json, sys, importlib.metadata as m\n"
            "def v(n):\n"
            "    try: return m.version(n)\n"
            "    except Exception: return None\n"
            "print(json.dumps({'python': sys.version.split()[0], 'implementation': sys.implementation.name, "
            "'numpy': v('numpy'), 'numba': v('numba'), 'memray': v('memray')}))")
    return json.loads(subprocess.check_output([python, "-c", code], text=True))


def machine_info():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
            "memoryGiB": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30, 1)}


def git_describe():
    """The shim's sources: the last commit that changed them, and whether the work tree differs."""
    try:
        def git(*argv):
            return subprocess.check_output(["git", "-C", REPO, *argv], text=True, stderr=subprocess.DEVNULL).strip()
        last = git("log", "-1", "--format=%h", "--", "native-shim/src/main/c", "native-shim/src/main/python")
        dirty = git("status", "--porcelain", "--", "native-shim/src/main/c", "native-shim/src/main/python")
        return f"{last} (last commit to the shim's C sources and runner; HEAD {git('rev-parse', '--short', 'HEAD')})" + (
            ", with uncommitted changes to them" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def tool_version(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


class Context:
    pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", required=True, help="interpreter with numpy 2.4.6 (and memray, numba)")
    parser.add_argument("--shim", required=True, help="libnonativeleak.so")
    parser.add_argument("--heaptrack", default=shutil.which("heaptrack") or "heaptrack")
    parser.add_argument("--reps", type=int, default=7, help="measured rounds (default 7, at least 5)")
    parser.add_argument("--warmup-rounds", type=int, default=1,
                        help="rounds run first and discarded (page cache, .pyc files; default 1)")
    parser.add_argument("--iterations", type=int, default=100_000, help="reference workload iterations")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated subset of {','.join(MODES)}")
    parser.add_argument("--workloads", default=",".join(WORKLOADS),
                        help=f"comma-separated subset of {','.join(WORKLOADS)} (default: all). live-1m and live-4m: "
                             "many_live.py with 1M and 4M blocks live at once, gate pattern `obj:libffi*` (every "
                             "block); pythonmalloc: numpy_subscript.py under PYTHONMALLOC=malloc")
    parser.add_argument("--pythonmalloc-iterations", type=int, default=50_000)
    parser.add_argument("--case-study", choices=["on", "off"], default="on",
                        help="also run numba_generator.py 20000 complete, plain vs gate (default on)")
    parser.add_argument("--case-study-iterations", type=int, default=20_000)
    parser.add_argument("--blas-threads", default="1",
                        help="OPENBLAS_NUM_THREADS/OMP_NUM_THREADS for every mode (default 1; 'unset' leaves "
                             "them as they are)")
    parser.add_argument("--order", choices=["rotate", "shuffle", "fixed"], default="rotate",
                        help="order of the modes within a round (default: rotate the start every round)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sample-interval", type=float, default=0.05,
                        help="seconds between /proc samples of tools with helper processes")
    parser.add_argument("--nice", type=int, default=-10 if os.geteuid() == 0 else 0,
                        help="niceness of every run (default -10 as root, so that background work on the "
                             "machine disturbs the runs less; 0 to leave it)")
    parser.add_argument("--quiet-wait", type=float, default=5.0,
                        help="before each run, wait up to this many seconds for the rest of the machine to "
                             "use less than --quiet-cores CPUs (default 5; 0 = do not wait)")
    parser.add_argument("--quiet-cores", type=float, default=0.3)
    parser.add_argument("--max-other-cores", type=float, default=0.5,
                        help="a run during which the rest of the machine used more CPUs than this is "
                             "repeated (default 0.5)")
    parser.add_argument("--retries", type=int, default=3,
                        help="how often a disturbed run is repeated before it is kept anyway (default 3)")
    parser.add_argument("--startup", choices=["on", "off"], default="on",
                        help="also measure start-up alone (the reference workload with 1 iteration), plain "
                             "vs the shim's modes (default on)")
    parser.add_argument("--out", default=os.path.join(HERE, "target", "results", "latest.md"),
                        help="Markdown report (a .json beside it holds every sample)")
    parser.add_argument("--scratch", default=None, help="where runs write (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep every run's directory")
    parser.add_argument("--enforce-bounds", action="store_true", help="exit 1 when a bound (issue 3 or 14) is missed")
    parser.add_argument("--command-line", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.reps < 5:
        parser.error("--reps must be at least 5 (issue 3: medians of at least 5 runs)")
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        parser.error(f"unknown modes {unknown}; known: {list(MODES)}")
    if "plain" not in modes:
        modes.insert(0, "plain")

    ctx = Context()
    ctx.python = args.python if os.sep not in args.python else os.path.abspath(args.python)
    ctx.shim = os.path.abspath(args.shim)
    ctx.heaptrack = args.heaptrack
    ctx.sample_interval = args.sample_interval
    ctx.keep = args.keep
    ctx.quiet_wait, ctx.quiet_cores, ctx.waited, ctx.repeated = args.quiet_wait, args.quiet_cores, 0.0, 0
    if args.nice:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, args.nice)  # inherited by every run
        except OSError as error:
            print(f"warning: cannot set niceness {args.nice}: {error}", file=sys.stderr)
    info_nice = os.getpriority(os.PRIO_PROCESS, 0)
    if not os.path.isfile(ctx.shim):
        parser.error(f"shim not found: {ctx.shim} (bench/run.sh builds it)")
    versions = probe_python(ctx.python)
    if versions["numpy"] != "2.4.6":
        print(f"warning: numpy {versions['numpy']}, issue 3 asks for 2.4.6", file=sys.stderr)
    if any(m.startswith("memray") for m in modes) and not versions["memray"]:
        parser.error(f"memray is not installed for {ctx.python} (bench/run.sh installs it into bench/.venv)")
    if "heaptrack" in modes and not shutil.which(ctx.heaptrack):
        parser.error("heaptrack not found (apt-get install -y heaptrack)")

    env = {k: v for k, v in os.environ.items()
           if k != "LD_PRELOAD" and not k.startswith("NONATIVELEAK_") and not k.startswith("MEMRAY_")}
    if args.blas_threads != "unset":
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = args.blas_threads
    ctx.base_env = env
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    ctx.scratch = tempfile.mkdtemp(prefix="nnl-bench-", dir=args.scratch)

    chosen = [w.strip() for w in args.workloads.split(",") if w.strip()]
    if [w for w in chosen if w not in WORKLOADS]:
        parser.error(f"unknown workloads {[w for w in chosen if w not in WORKLOADS]}; known: {list(WORKLOADS)}")
    workloads = []
    if "reference" in chosen:
        workloads.append(Workload("reference", f"Reference workload: `numpy_subscript.py {args.iterations}`",
                                  os.path.join(SHARED_BENCH, "numpy_subscript.py"), [str(args.iterations)],
                                  [m for m in modes if m != "memray-pyalloc"]))
    for key, count in (("live-1m", 1_000_000), ("live-4m", 4_000_000)):
        if key in chosen:
            workloads.append(Workload(
                key, f"Big live set: `many_live.py {count}` ({count:,} blocks live at once, then freed)",
                os.path.join(SHARED_BENCH, "many_live.py"), [str(count)],
                [m for m in ("plain", "discover", "gate", "heaptrack", "memray-native") if m in modes],
                gate_pattern="obj:libffi*", gate_matches=count, live=count))
    if "pythonmalloc" in chosen:
        workloads.append(Workload(
            "pythonmalloc", f"Small objects too: `PYTHONMALLOC=malloc numpy_subscript.py {args.pythonmalloc_iterations}`",
            os.path.join(SHARED_BENCH, "numpy_subscript.py"), [str(args.pythonmalloc_iterations)],
            [m for m in ("plain", "discover", "heaptrack", "memray-native", "memray-pyalloc") if m in modes],
            env={"PYTHONMALLOC": "malloc"}))
    if args.case_study == "on" and "case-study" in chosen:
        if not versions["numba"]:
            print("warning: numba is not installed, the case-study table is skipped", file=sys.stderr)
        else:
            workloads.append(Workload(
                "case-study", f"Case study: `numba_generator.py {args.case_study_iterations} complete`",
                os.path.join(SHARED_BENCH, "numba_generator.py"), [str(args.case_study_iterations), "complete"],
                [m for m in ("plain", "preload", "gate") if m in modes]))
    if args.startup == "on" and "startup" in chosen:
        workloads.append(Workload("startup", "Start-up alone: `numpy_subscript.py 1`",
                                  os.path.join(SHARED_BENCH, "numpy_subscript.py"), ["1"],
                                  [m for m in ("plain", "preload", "gate", "discover") if m in modes]))
    for w in workloads:
        if not os.path.isfile(w.script):
            parser.error(f"workload not found: {w.script}")

    info = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": args.command_line or shlex.join([sys.executable, *sys.argv]),
        "machine": machine_info(), "versions": versions, "shimCommit": git_describe(),
        "heaptrack": tool_version([ctx.heaptrack, "--version"]) if "heaptrack" in modes else None,
        "reps": args.reps, "warmupRounds": args.warmup_rounds, "order": args.order,
        "blasThreads": args.blas_threads, "loadBefore": os.getloadavg(), "nice": info_nice,
        "quietWait": args.quiet_wait, "quietCores": args.quiet_cores,
    }
    rng = random.Random(args.seed)
    started = time.monotonic()
    results = {}
    try:
        for w in workloads:
            rounds = []
            total = args.warmup_rounds + args.reps
            for round_no in range(total):
                order = list(w.modes)
                if args.order == "rotate":
                    shift = round_no % len(order)
                    order = order[shift:] + order[:shift]
                elif args.order == "shuffle":
                    rng.shuffle(order)
                measured = round_no >= args.warmup_rounds
                samples = {}
                for key in order:
                    for attempt in range(1 + args.retries):
                        sample = run_once(ctx, MODES[key], w, round_no)
                        sample["attempts"] = attempt + 1
                        if sample["otherCores"] <= args.max_other_cores:
                            break
                        ctx.repeated += 1
                    samples[key] = sample
                tag = f"round {round_no - args.warmup_rounds + 1}/{args.reps}" if measured else "warm-up round"
                print(f"[{w.key}] {tag}: " + ", ".join(
                    f"{MODES[k].label} {samples[k]['wall']:.2f}s" for k in w.modes), file=sys.stderr, flush=True)
                if measured:
                    rounds.append(samples)
            results[w.key] = {"workload": w, "rounds": rounds, "summary": summarize(w, rounds)}
    except BenchError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        print(f"(run directories kept in {ctx.scratch})", file=sys.stderr)
        return 2
    finally:
        if not args.keep and os.path.isdir(ctx.scratch):
            if not os.listdir(ctx.scratch):
                os.rmdir(ctx.scratch)
    info["loadAfter"] = os.getloadavg()
    info["durationSeconds"] = round(time.monotonic() - started)
    info["waitedSeconds"] = round(ctx.waited)
    info["repeatedRuns"] = ctx.repeated
    info["maxOtherCores"], info["retries"] = args.max_other_cores, args.retries

    report = render(info, results)
    print(report)
    with open(args.out, "w") as out:
        out.write(report)
    json_out = os.path.splitext(args.out)[0] + ".json"
    with open(json_out, "w") as out:
        json.dump({"info": info, "results": {
            k: {"script": v["workload"].script, "args": v["workload"].args, "modes": v["workload"].modes,
                "summary": v["summary"], "rounds": v["rounds"]} for k, v in results.items()}}, out, indent=1)
    print(f"\n(written to {args.out} and {json_out})", file=sys.stderr)
    verdicts = all_bounds(results)
    if args.enforce_bounds and not all(ok for _, ok in verdicts):
        return 1
    return 0


def render(info, results):
    m, v = info["machine"], info["versions"]
    out = [
        "## NoNativeLeak overhead benchmark",
        "",
        f"- date: {info['date']}; duration {info['durationSeconds']} s, of which {info['waitedSeconds']} s "
        f"waiting for the machine to be quiet",
        f"- command: `{info['command']}`",
        f"- machine: {m['nproc']} CPUs, {m['cpu']}, {m['memoryGiB']} GiB, kernel {m['kernel']}; "
        f"load average before {info['loadBefore'][0]:.2f}, after {info['loadAfter'][0]:.2f}",
        f"- Python {v['python']}, numpy {v['numpy']}, numba {v['numba']}, memray {v['memray']}"
        + (f", heaptrack {info['heaptrack'].split()[-1]}" if info.get("heaptrack") else ""),
        f"- shim built from {info['shimCommit']}",
        f"- {info['reps']} measured rounds after {info['warmupRounds']} discarded warm-up round(s); modes "
        f"interleaved per round ({info['order']} order); OPENBLAS_NUM_THREADS={info['blasThreads']}; "
        f"runs at niceness {info['nice']}, each started once the rest of the machine used < "
        f"{info['quietCores']} CPUs (waiting at most {info['quietWait']:g} s); a run during which it used more "
        f"than {info['maxOtherCores']} CPUs was repeated (at most {info['retries']} times): "
        f"{info['repeatedRuns']} repeated",
        "- wall: whole process, start to exit; ratio: median of the per-round ratios to that round's plain "
        "run; min/min ratio: fastest run over fastest plain run; CPU ratio: median per-round ratio of "
        "user+sys time of the process tree; peak RSS: ru_maxrss from wait4, median (for heaptrack the "
        "largest process of its tree, in parentheses the python process's own VmHWM, sampled every "
        "50 ms); largest helper: the largest non-python process of the tree (VmHWM, sampled); other "
        "load: CPUs the rest of the machine used during the run (median)",
    ]
    for key, r in results.items():
        w, s = r["workload"], r["summary"]
        out += ["", f"### {w.title}", "", table(w, s)]
        if key == "reference":
            out += ["", "Bounds of issue 3:", ""]
            out += [f"- {'PASS' if ok else 'FAIL'}: {text}" for text, ok in bounds(s)]
        elif key.startswith("live-") or key == "pythonmalloc":
            out += ["", "Bounds of issue 14:", ""]
            out += [f"- {'PASS' if ok else 'FAIL'}: {text}" for text, ok in scale_bounds(w, s)]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
