#!/usr/bin/env bash
# The main job: builds NoNativeLeak and runs the numba case study as a user would.
# The buggy backtest fails the gate with both stacks printed; the fixed one passes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== Building NoNativeLeak"
mvn -B -q install -DskipTests
cd examples/numba-case-study
echo
echo "== The buggy backtest: a numba generator never iterated to completion (expect BUILD FAILURE)"
if mvn -B verify -Dbacktest=backtest_buggy; then
  echo "UNEXPECTED: the gate let the buggy backtest pass" >&2
  exit 1
fi
echo
echo "== The fixed backtest: every generator iterated to completion (expect BUILD SUCCESS)"
mvn -B verify
echo
echo "Case study done: the leak was caught at its Python line, and the fix passes the gate."
