#!/usr/bin/env bash
# Runs the whole test suite: the shim's C tests (plain, ASan+UBSan, TSan), the Java tests, and the
# end-to-end tests on real numpy and numba (JUnit consumers and Maven invoker projects).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
exec mvn -B verify -Dnonativeleak.it.python="$PWD/.venv/bin/python" "$@"
