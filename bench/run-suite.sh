#!/bin/sh
# bench/run-suite.sh: install what is missing, build every variant, run
# every workload on every variant (KVM timing only where this host's KVM
# runs ring 0 natively, else TCG icount), and write the records to
# results/<date>-<host>/ (records.jsonl, results.json) and plot them into
# its plots/.  Extra arguments go to `asilab run`.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${ASILAB_BUILD:-$top/build}
"$top/cmake/install-deps.sh"
cmake -S "$top" -B "$build" -G Ninja >/dev/null
cmake --build "$build"
out="$top/results/$(date -u +%Y%m%d-%H%M%S)-$(hostname)"
rc=0
"$build/asilab" run --variant all --workload all --accel auto --jobs "$(nproc)" --out "$out" "$@" || rc=$?
"$build/asilab" plot "$out" || rc=1
echo "results: $out/records.jsonl, $out/results.json, plots in $out/plots"
exit $rc
