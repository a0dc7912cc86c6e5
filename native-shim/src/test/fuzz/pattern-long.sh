#!/bin/sh
# The long run of the pattern-parser fuzzer (the fixed corpus runs in `make check-fuzz-pattern`):
#   src/test/fuzz/pattern-long.sh [SECONDS]   (default 300), from native-shim/
# New inputs go to a scratch corpus in target/; the checked-in corpus is only read.
set -e
seconds=${1:-300}
make -s target/native-build/fuzz/fuzz_pattern
scratch=target/native-build/fuzz/pattern-corpus
mkdir -p "$scratch"
exec target/native-build/fuzz/fuzz_pattern -max_total_time="$seconds" -max_len=512 -print_final_stats=1 \
    "$scratch" src/test/fuzz/corpus/pattern
