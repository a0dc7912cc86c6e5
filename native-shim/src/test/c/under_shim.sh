#!/bin/sh
# Runs a test program under the shim in a fresh run directory:
#   under_shim.sh SHIM NAME REPEAT 'pattern ...' ['ignore ...' ...] -- PROGRAM [ARGS...]
# The run directory's patterns file holds the given lines; the program runs REPEAT times (each a
# fresh process) and must exit 0 every time. The directory is removed unless a run failed. The
# program finds the run directory in NONATIVELEAK_RUN_DIR.
shim=$1 name=$2 repeat=$3
shift 3
dir=$(mktemp -d "${TMPDIR:-/tmp}/nnl-check.XXXXXX") || exit 1
: > "$dir/patterns"
while [ $# -gt 0 ] && [ "$1" != "--" ]; do printf '%s\n' "$1" >> "$dir/patterns"; shift; done
shift
failed=0 i=0
while [ $i -lt "$repeat" ]; do
    i=$((i + 1))
    NONATIVELEAK_RUN_DIR=$dir LD_PRELOAD=$shim "$@" || failed=$((failed + 1))
done
if [ $failed -ne 0 ]; then
    echo "$name: FAILED in $failed of $repeat runs (data kept in $dir)"
    exit 1
fi
echo "$name: passed $repeat of $repeat runs"
rm -rf "$dir"
