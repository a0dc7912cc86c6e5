#!/usr/bin/env bash
# Runs the whole test suite: the shim's C tests (plain, ASan+UBSan, TSan), the Java tests, and the
# end-to-end tests on real numpy and numba (JUnit consumers and Maven invoker projects).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
# The case-study tests need numpy and numba: the .venv made by setup.sh. The HTML report's browser
# test must not skip here: setup.sh --tests installed Chromium.
# CPython 3.14 and 3.15 (numpy 2.5.5, numba 0.68.1) come from the Debian sid root, entered through
# scripts/sid-python3.14 and sid-python3.15: wrappers that exec the interpreter inside it.
venv_python="$PWD/.venv/bin/python"
sid_root=$(scripts/sid-root.sh)
sid314="$PWD/scripts/sid-python3.14" sid315="$PWD/scripts/sid-python3.15"
exec mvn -B verify \
  -Dnonativeleak.it.numbaPython="$venv_python" \
  -Dnonativeleak.it.numbaPython3.14="$sid314" -Dnonativeleak.it.numbaPython3.15="$sid315" \
  -Dnonativeleak.test.python3.14="$sid314" -Dnonativeleak.test.python3.15="$sid315" \
  -Dnonativeleak.test.pyHeaderRoots="$sid_root" -Dnonativeleak.test.pyDebugPythons="$sid314 $sid315" \
  -Dnonativeleak.test.numbaPython="$venv_python" \
  -Dnonativeleak.test.chromium=required \
  "$@"
