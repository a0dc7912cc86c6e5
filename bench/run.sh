#!/usr/bin/env bash
# The overhead benchmark of issue 3 (see docs/benchmarks.md): builds the shim, makes sure heaptrack and
# a Python with numpy 2.4.6, numba 0.68.0 and memray are there, then runs bench/overhead.py.
#   bench/run.sh                      7 rounds, every mode, plus the numba case study
#   bench/run.sh --reps 11            any option of bench/overhead.py (--help lists them)
#   BENCH_PYTHON=/path/bin/python bench/run.sh   use that interpreter instead of bench/.venv
#   bench/run.sh --scaling [options]  bench/scaling.py instead: cost per allocation at 10^5..10^7 (issue 14)
# Results: printed, and written to bench/target/results/latest.md (+ latest.json).
# The machine should be otherwise idle: the numbers are wall-clock ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
[ "${1:-}" = --fixed-cost ] && { shift; exec bench/fixed-cost.sh "$@"; } # docs/benchmarks.md "Fixed cost per fixture"

if ! command -v heaptrack >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "the benchmark compares against heaptrack: sudo apt-get install -y heaptrack" >&2
    exit 1
  fi
  echo "Installing heaptrack" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q heaptrack >/dev/null
fi

# The shim, built into bench/target so that a concurrent `mvn clean` cannot remove it mid-run.
make -s -C native-shim shim OUT="$root/bench/target/native" >&2
shim="$root/bench/target/native/libnonativeleak.so"

# A venv of its own: memray is a benchmark-only dependency, never part of the project's .venv.
python="${BENCH_PYTHON:-}"
if [ -z "$python" ]; then
  venv=bench/.venv
  if ! "$venv/bin/python" -c 'import numpy, numba, memray; assert numpy.__version__ == "2.4.6"' >/dev/null 2>&1; then
    base=""
    for candidate in python3.11 python3.12 python3.13; do
      if command -v "$candidate" >/dev/null 2>&1; then base=$candidate; break; fi
    done
    [ -n "$base" ] || { echo "the benchmark needs CPython 3.11 to 3.13 (python3.11 on PATH)" >&2; exit 1; }
    echo "Creating $venv with $base: numpy 2.4.6, numba 0.68.0, memray 1.20.0" >&2
    rm -rf "$venv"
    "$base" -m venv "$venv"
    "$venv/bin/pip" install -q numpy==2.4.6 numba==0.68.0 memray==1.20.0 >&2
  fi
  python="$root/$venv/bin/python"
fi

if [ "${1:-}" = "--scaling" ]; then
  shift
  exec python3 bench/scaling.py --python "$python" --shim "$shim" \
    --command-line "bench/run.sh --scaling${*:+ $*}" "$@"
fi
exec python3 bench/overhead.py --python "$python" --shim "$shim" \
  --command-line "bench/run.sh${*:+ $*}" "$@"
