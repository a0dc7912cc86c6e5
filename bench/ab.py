#!/usr/bin/env python3
"""Two or more shim builds against each other on one workload, as bench/overhead.py runs them
(docs/benchmarks.md "Tracking at scale"): each round runs plain, then every build in one mode,
in a rotating order; the table gives medians of the per-round ratios to that round's plain run.

    python3 bench/ab.py --python bench/.venv/bin/python --mode discover --rounds 9 \\
        --workload many_live.py 1000000 -- before/libnonativeleak.so after/libnonativeleak.so

A machine whose speed drifts between runs (a shared VM) moves every mode of a round together:
per-round ratios cancel most of it, where medians of wall times do not."""
import argparse
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import overhead  # noqa: E402  (the same launch, checks and measurement as the benchmark)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", required=True)
    parser.add_argument("--mode", choices=("discover", "gate"), default="discover")
    parser.add_argument("--gate-pattern", default="obj:libffi*")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="e.g. PYTHONMALLOC=malloc")
    parser.add_argument("--workload", nargs="+", required=True, metavar="SCRIPT [ARG]",
                        help="a script (in ../shared/bench unless a path) and its arguments")
    parser.add_argument("shims", nargs="+", help="libnonativeleak.so of each build")
    args = parser.parse_args(argv)

    script = args.workload[0] if os.sep in args.workload[0] else os.path.join(overhead.SHARED_BENCH, args.workload[0])
    env = dict(item.split("=", 1) for item in args.env)
    workload = overhead.Workload("ab", "A/B", script, args.workload[1:], [], env=env, gate_pattern=args.gate_pattern)
    ctx = overhead.Context()
    ctx.python = os.path.abspath(args.python)
    ctx.sample_interval, ctx.keep, ctx.quiet_wait, ctx.quiet_cores, ctx.waited = 0.05, False, 5, 0.3, 0.0
    ctx.base_env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("NONATIVELEAK_")}
    ctx.base_env.setdefault("OPENBLAS_NUM_THREADS", "1")
    ctx.scratch = tempfile.mkdtemp(prefix="nnl-ab-")
    shims = [os.path.abspath(s) for s in args.shims]
    runs = [("plain", overhead.MODES["plain"], None)] + [(s, overhead.MODES[args.mode], s) for s in shims]
    samples = {key: [] for key, _, _ in runs}
    for round_no in range(args.rounds):
        order = runs[round_no % len(runs):] + runs[:round_no % len(runs)]
        for key, mode, shim in order:
            ctx.shim = shim or shims[0]
            samples[key].append(overhead.run_once(ctx, mode, workload, round_no))
    print(f"{args.mode} on {' '.join(args.workload)}, {args.rounds} rounds; ratios: medians of per-round ratios to plain")
    print("| build | median wall (s) | wall ratio | CPU ratio | peak RSS (MiB) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    plain = samples["plain"]
    for key, _, _ in runs:
        own = samples[key]
        wall = statistics.median(s["wall"] for s in own)
        ratio = statistics.median(s["wall"] / p["wall"] for s, p in zip(own, plain))
        cpu = statistics.median(s["cpu"] / p["cpu"] for s, p in zip(own, plain))
        rss = statistics.median(s["maxrssKiB"] for s in own) / 1024
        print(f"| {key} | {wall:.3f} | {ratio:.3f}× | {cpu:.3f}× | {rss:.1f} |")


if __name__ == "__main__":
    main()
