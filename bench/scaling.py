#!/usr/bin/env python3
"""How discover and the gate scale with the work (issue 14): wall time and peak RSS against a plain run
at 10^5, 10^6 and 10^7 tracked allocations (bench/many_tracked.py: each block freed at once) and at
10^5, 10^6 and 4*10^6 live ones (shared/bench/many_live.py: all held, then freed), with the cost per
allocation, which should stay flat.

    python3 bench/scaling.py --python VENV/bin/python --shim PATH/libnonativeleak.so [--reps 3]

bench/run.sh --scaling starts it with the shim it builds. Each size runs plain, discover and the gate
(pattern `obj:libffi*`, which every block matches: checked) in rotating order, --reps rounds; the
table shows medians. Runs are checked as in bench/overhead.py (completed, stacks on, nothing dropped).
"""
import argparse
import os
import shlex
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import overhead  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = [("tracked", 10 ** 5), ("tracked", 10 ** 6), ("tracked", 10 ** 7),
         ("live", 10 ** 5), ("live", 10 ** 6), ("live", 4 * 10 ** 6)]
MODES = ("plain", "discover", "gate")


def workload(kind, n):
    script = (os.path.join(HERE, "many_tracked.py") if kind == "tracked"
              else os.path.join(overhead.SHARED_BENCH, "many_live.py"))
    return overhead.Workload(f"{kind}-{n}", f"{kind} {n}", script, [str(n)], list(MODES),
                             gate_pattern="obj:libffi*", gate_matches=n, live=n if kind == "live" else 0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", required=True)
    parser.add_argument("--shim", required=True)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--sizes", default=",".join(f"{k}-{n}" for k, n in SIZES),
                        help="comma-separated subset, e.g. tracked-100000,live-1000000")
    parser.add_argument("--quiet-wait", type=float, default=5.0)
    parser.add_argument("--out", default=os.path.join(HERE, "target", "results", "scaling.md"))
    parser.add_argument("--command-line", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    wanted = {s.strip() for s in args.sizes.split(",") if s.strip()}

    ctx = overhead.Context()
    ctx.python, ctx.shim, ctx.heaptrack = os.path.abspath(args.python), os.path.abspath(args.shim), None
    ctx.sample_interval, ctx.keep = 0.05, False
    ctx.quiet_wait, ctx.quiet_cores, ctx.waited, ctx.repeated = args.quiet_wait, 0.3, 0.0, 0
    ctx.base_env = {k: v for k, v in os.environ.items()
                    if k != "LD_PRELOAD" and not k.startswith("NONATIVELEAK_")}
    ctx.scratch = tempfile.mkdtemp(prefix="nnl-scaling-")
    rows = []
    load_before = os.getloadavg()[0]
    try:
        for kind, n in SIZES:
            if f"{kind}-{n}" not in wanted:
                continue
            w = workload(kind, n)
            samples = {m: [] for m in MODES}
            for round_no in range(args.reps):
                order = list(MODES[round_no % 3:] + MODES[:round_no % 3])
                for key in order:
                    samples[key].append(overhead.run_once(ctx, overhead.MODES[key], w, round_no))
                print(f"[{kind} {n}] round {round_no + 1}/{args.reps}: " + ", ".join(
                    f"{k} {samples[k][-1]['wall']:.2f}s" for k in MODES), file=sys.stderr, flush=True)
            rows.append((kind, n, samples))
    except overhead.BenchError as error:
        print(f"scaling failed: {error} (run directories kept in {ctx.scratch})", file=sys.stderr)
        return 2
    if os.path.isdir(ctx.scratch) and not os.listdir(ctx.scratch):
        os.rmdir(ctx.scratch)

    out = [
        "## NoNativeLeak scaling (issue 14)", "",
        f"- command: `{args.command_line or shlex.join([sys.executable, *sys.argv])}`",
        f"- {args.reps} rounds per size, medians; load average before {load_before:.2f}, after "
        f"{os.getloadavg()[0]:.2f}; cost per allocation: (mode - plain) / N; RSS per live block: "
        "(mode's peak RSS - plain's) / N",
        "",
        "| workload | N | plain (s) | discover (s) | gate (s) | discover ns/alloc | gate ns/alloc "
        "| plain RSS (MiB) | discover RSS (MiB) | gate RSS (MiB) | discover B/live block |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, n, samples in rows:
        wall = {k: statistics.median(s["wall"] for s in samples[k]) for k in MODES}
        rss = {k: statistics.median(s["maxrssKiB"] for s in samples[k]) / 1024 for k in MODES}
        per = {k: (wall[k] - wall["plain"]) / n * 1e9 for k in ("discover", "gate")}
        per_live = f"{(rss['discover'] - rss['plain']) * overhead.MIB / n:.1f}" if kind == "live" else "–"
        out.append(f"| {'many_tracked' if kind == 'tracked' else 'many_live'} | {n:,} | {wall['plain']:.2f} | "
                   f"{wall['discover']:.2f} | {wall['gate']:.2f} | {per['discover']:.0f} | {per['gate']:.0f} | "
                   f"{rss['plain']:.1f} | {rss['discover']:.1f} | {rss['gate']:.1f} | {per_live} |")
    report = "\n".join(out) + "\n"
    print(report)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
