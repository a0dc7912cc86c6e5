#!/usr/bin/env bash
# Installs what NoNativeLeak's build needs, once; later runs only check.
#   scripts/setup.sh            gcc, make, libunwind-dev, and .venv with the case study's stack
#   scripts/setup.sh --tests    also what the test suite uses: Chromium (the HTML report is checked in a
#                               real browser), Debian's stripped numpy (honest symbolisation), g++ (a C++
#                               fixture), clang with libFuzzer (the pattern fuzzer), and the Debian sid
#                               root with CPython 3.14 and 3.15, numpy 2.5.5 and numba 0.68.1
#                               (scripts/sid-root.sh: built once, cached in /var/cache/nonativeleak)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v gcc >/dev/null 2>&1 || packages+=(gcc)
command -v make >/dev/null 2>&1 || packages+=(make)
echo '#include <libunwind.h>' | gcc -E -x c - >/dev/null 2>&1 || packages+=(libunwind-dev)
if [ "${1:-}" = "--tests" ]; then
  command -v chromium >/dev/null 2>&1 || packages+=(chromium)
  /usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || packages+=(python3-numpy)
  command -v g++ >/dev/null 2>&1 || packages+=(g++)
  command -v debootstrap >/dev/null 2>&1 || packages+=(debootstrap)
  # The pattern fuzzer (make check-fuzz-pattern): clang with libFuzzer's runtime.
  command -v clang >/dev/null 2>&1 || packages+=(clang)
  echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
    clang -fsanitize=fuzzer -x c - -o /dev/null >/dev/null 2>&1 || packages+=(libclang-rt-14-dev)
fi
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "NoNativeLeak needs these Debian packages: ${packages[*]} (run: sudo apt-get install -y ${packages[*]})" >&2
    exit 1
  fi
  echo "Installing ${packages[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}" >/dev/null
fi

# The case study's stack: numpy 2.4.6 and numba 0.68.0 (numpy 2.4 needs Python 3.11 or newer).
if ! .venv/bin/python -c 'import numpy, numba' >/dev/null 2>&1; then
  python=""
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null; then
      python=$candidate
      break
    fi
  done
  [ -n "$python" ] || { echo "NoNativeLeak's case study needs CPython 3.11 to 3.13 (python3.11 on PATH)" >&2; exit 1; }
  echo "Creating .venv with $python: numpy 2.4.6, numba 0.68.0"
  rm -rf .venv
  "$python" -m venv .venv
  .venv/bin/pip install -q numpy==2.4.6 numba==0.68.0
fi

if [ "${1:-}" = "--tests" ]; then
  scripts/sid-root.sh >/dev/null
fi
