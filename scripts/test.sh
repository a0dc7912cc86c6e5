#!/usr/bin/env bash
# Runs the whole test suite: the shim's C tests (plain, ASan+UBSan, TSan), the Java tests, and the
# end-to-end tests on real numpy and numba (JUnit consumers and Maven invoker projects).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
# The case-study tests need numpy and numba: the .venv made by setup.sh. The HTML report's browser
# test must not skip here: setup.sh --tests installed Chromium.
venv_python="$PWD/.venv/bin/python"
exec mvn -B verify \
  -Dnonativeleak.it.numbaPython="$venv_python" \
  -Dnonativeleak.test.numbaPython="$venv_python" \
  -Dnonativeleak.test.chromium=required \
  "$@"
