#!/usr/bin/env bash
# The fixed cost per fixture from the JVM's side (issue 14, docs/benchmarks.md "Fixed cost per fixture"):
# a trivial fixture through FixtureLauncher against plain `python script.py`, and the launcher's steps.
#   bench/fixed-cost.sh                          5 rounds of 20 fixtures, python3 on PATH
#   bench/fixed-cost.sh --rounds 7 --fixtures 30 --python /path/bin/python
# Results: printed, and written to bench/target/results/fixed-cost.md.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="${MAVEN_REPO:-$HOME/.m2/repository}"
version() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" pom.xml | head -1; }
cp="native-shim/target/classes"
cp+=":$repo/net/java/dev/jna/jna/$(version jna.version)/jna-$(version jna.version).jar"
for a in databind core; do
  cp+=":$repo/com/fasterxml/jackson/core/jackson-$a/$(version jackson.version)/jackson-$a-$(version jackson.version).jar"
done
cp+=":$(ls "$repo"/com/fasterxml/jackson/core/jackson-annotations/*/jackson-annotations-*.jar | grep -v sources | sort -V | tail -1)"
# The launcher and the shim as this checkout has them (no jar needed: the classes directory is the resource path).
mvn -B -o -q compile -pl native-shim >&2
out=bench/target/fixed-cost-classes
rm -rf "$out" && mkdir -p "$out"
javac -d "$out" -cp "$cp" bench/FixedCostBench.java
exec java -cp "$out:$cp" io.nonativeleak.shim.FixedCostBench --command-line "bench/fixed-cost.sh${*:+ $*}" "$@"
