#!/bin/bash
# Fault injection: runs a real fixture through the real runner, once without the shim and once under
# it, with a fault in the way, and checks that the fixture's own result (what it prints, its exit code)
# is unchanged and that the data files say honestly what could not be tracked.
#   fault.sh SCENARIO SHIM NNLREAD PYTHON
# Scenarios: full-disk (a 6 MiB tmpfs the fixture fills; needs root for unshare -m + mount),
# file-size-limit (ulimit -f 2 MiB), file-size-limit-child (the fixture lowers RLIMIT_FSIZE for a
# child), address-space-limit (ulimit -v), small-stacks, many-threads (programs in BUILD, see Makefile).
set -u
scenario=$1 shim=$2 nnlread=$3 python=$4
here=$(cd "$(dirname "$0")" && pwd)
runner=${NNL_RUNNER:-$here/../../main/python/nonativeleak_runner.py}
work=$(mktemp -d "${TMPDIR:-/tmp}/nnl-fault.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
fail() { echo "fault $scenario: FAILED: $*"; exit 1; }

# run_fixture OUT RUN_DIR SCRIPT [shim]: the runner as FixtureLauncher starts it; output in OUT.{stdout,rc}
run_fixture() {
    local out=$1 dir=$2 script=$3 preload=${4:-}
    mkdir -p "$dir"
    cat > "$out.spec.json" <<J
{"shim":"$shim","kind":"script","target":"$script","args":[],"warmup":0,"result":"$out.result.json"}
J
    if [ -n "$preload" ]; then
        env LD_PRELOAD="$shim" NONATIVELEAK_RUN_DIR="$dir" NONATIVELEAK_AWAIT_RUNNER=1 PYTHONUNBUFFERED=1 \
            "$python" "$runner" "$out.spec.json" > "$out.stdout" 2> "$out.stderr"
    else
        "$python" "$script" > "$out.stdout" 2> "$out.stderr"
    fi
    echo $? > "$out.rc"
}

# same_result: the fixture printed the same and exited the same with and without the shim
same_result() {
    cmp -s "$work/plain.stdout" "$work/shim.stdout" || fail "the fixture printed other output under the shim:
--- without the shim:
$(cat "$work/plain.stdout")
--- under the shim:
$(cat "$work/shim.stdout")
--- its stderr under the shim:
$(tail -5 "$work/shim.stderr")"
    [ "$(cat "$work/plain.rc")" = "$(cat "$work/shim.rc")" ] || fail "exit code $(cat "$work/plain.rc") without the shim, $(cat "$work/shim.rc") under it:
$(tail -5 "$work/shim.stderr")"
    grep -q '"status": *"completed"' "$work/shim.result.json" 2>/dev/null || fail "the runner did not finish: $(cat "$work/shim.result.json" 2>/dev/null)"
}

case $scenario in
full-disk)
    [ "$(id -u)" = 0 ] || { echo "fault $scenario: skipped (needs root for unshare -m and mount)"; exit 0; }
    for mode in plain shim; do
        # A private mount namespace: the tmpfs dies with the command, whatever happens.
        unshare -m bash -c '
            mount -t tmpfs -o size=6m nnl-fault "$1" || exit 97
            export FULL_DIR=$1
            '"$(declare -f run_fixture)"'
            shim=$2 python=$3 runner=$4
            run_fixture "$5/$6" "$1/run" "$7" $([ "$6" = shim ] && echo 1)
            mkdir -p "$5/$6.run" && cp "$1"/run/*.nnl "$5/$6.run/" 2>/dev/null
            exit 0' _ "$(mkdir -p "$work/mnt" && echo "$work/mnt")" "$shim" "$python" "$runner" "$work" "$mode" "$here/fill_disk.py" \
            || fail "could not mount a tmpfs in a private mount namespace"
    done
    same_result
    grep -q "disk full: True" "$work/shim.stdout" || fail "the fixture did not fill the disk: $(cat "$work/shim.stdout")"
    "$nnlread" lost "$work/shim.run" 1 || fail "the data file does not say it could not grow"
    ;;
file-size-limit)
    for mode in plain shim; do (ulimit -f 2048; run_fixture "$work/$mode" "$work/$mode.run" "$here/many_blocks.py" $([ $mode = shim ] && echo 1)); done
    same_result
    "$nnlread" lost "$work/shim.run" 2 || fail "the data file does not say it reached the file-size limit"
    ;;
file-size-limit-child)
    for mode in plain shim; do run_fixture "$work/$mode" "$work/$mode.run" "$here/fsize_child.py" $([ $mode = shim ] && echo 1); done
    same_result
    grep -q "child returncode 0 child ran" "$work/shim.stdout" || fail "the child did not run: $(cat "$work/shim.stdout")"
    "$nnlread" lost "$work/shim.run" 0 || fail "a data file counts losses"
    ;;
address-space-limit)
    # The smallest limit (in steps of 64 MiB) at which the fixture runs without the shim, plus 32 MiB.
    limit=""
    for kib in $(seq 327680 65536 2097152); do
        if (ulimit -v $kib; "$python" "$here/address_space.py" >/dev/null 2>&1); then limit=$((kib + 32768)); break; fi
    done
    [ -n "$limit" ] || fail "the fixture does not run under any limit up to 2 GiB"
    echo "fault $scenario: ulimit -v $limit"
    for mode in plain shim; do (ulimit -v $limit; run_fixture "$work/$mode" "$work/$mode.run" "$here/address_space.py" $([ $mode = shim ] && echo 1)); done
    same_result
    ;;
small-stacks)
    # A 16 KiB thread using 4 KiB, a 32 KiB one using 24 KiB: both crashed under main's shim.
    smallstack=$(dirname "$nnlread")/smallstack
    for sizes in "16384 4096" "32768 24576" "1048576 4096"; do
        rm -rf "$work/run" && mkdir -p "$work/run"
        out=$(NONATIVELEAK_RUN_DIR="$work/run" LD_PRELOAD="$shim" "$smallstack" $sizes 2>&1); status=$?
        [ $status = 0 ] && [ "$out" = "ok ${sizes% *} ${sizes#* }" ] || fail "smallstack $sizes under the shim: exit $status: $out"
        # Without enough stack the thread's allocations are counted as not tracked; with 1 MiB they are tracked.
        if [ "${sizes% *}" = 1048576 ]; then "$nnlread" lost "$work/run" 0 || fail "smallstack $sizes: losses counted"
        else "$nnlread" lost "$work/run" 7 || fail "smallstack $sizes: no small-stack loss counted"; fi
    done
    echo ok > "$work/plain.stdout"; cp "$work/plain.stdout" "$work/shim.stdout"
    ;;
many-threads)
    # 1,000 live threads that each made a tracked allocation: main's shim added 256 KiB of RSS per
    # thread (libunwind's trace cache); allowed here: 32 KiB per thread.
    manythreads=$(dirname "$nnlread")/manythreads
    mkdir -p "$work/run" && echo "pattern allocate" > "$work/run/patterns"
    plain=$("$manythreads" 1000) || fail "manythreads without the shim: $plain"
    shimmed=$(NONATIVELEAK_RUN_DIR="$work/run" LD_PRELOAD="$shim" "$manythreads" 1000) || fail "manythreads under the shim: $shimmed"
    extra=$(( ${shimmed##* } - ${plain##* } ))
    echo "fault $scenario: RSS without the shim: ${plain##* } KiB, under it: ${shimmed##* } KiB (+$((extra / 1000)) KiB per thread)"
    [ $extra -lt 32000 ] || fail "the shim adds $extra KiB of RSS for 1,000 threads"
    "$nnlread" lost "$work/run" 0 || fail "losses counted"
    echo ok > "$work/plain.stdout"; cp "$work/plain.stdout" "$work/shim.stdout"
    ;;
*) fail "unknown scenario" ;;
esac
echo "fault $scenario: passed"
