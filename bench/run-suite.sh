#!/bin/sh
# bench/run-suite.sh: install what is missing, build every variant, run
# every workload on every variant (KVM timing only where this host's KVM
# runs ring 0 natively, else TCG icount), each boot on the lean image
# (the costs) and on the counting one (the events), and write the records to
# results/<date>-<host>-<mode>/ (records.jsonl, results.json; mode:
# deterministic or timing, as the runner chose) and plot them into its
# plots/.  With Debian's Xen installed (the install step installs it) the
# two stock Xen 4.17 configurations run too, the workloads as Xen's dom0
# with XPTI off and on (--hv xen), beside the model; --no-xen (first
# argument) leaves them out.  Every result set is also added to the
# results history, results/history.sqlite (ASILAB_HISTORY overrides it;
# `asilab history --db ... --changes` then shows what moved since the
# previous runs).  Extra arguments go to `asilab run`.
set -eu
xen=1
if [ "${1:-}" = --no-xen ]; then
    xen=0
    shift
fi
top=$(cd "$(dirname "$0")/.." && pwd)
build=${ASILAB_BUILD:-$top/build}
"$top/cmake/install-deps.sh"
cmake -S "$top" -B "$build" -G Ninja >/dev/null
cmake --build "$build"
# The mode is known once the runner has chosen: run into a .partial
# directory, then name it after the mode its records carry.
stem="$top/results/$(date -u +%Y%m%d-%H%M%S)-$(hostname)"
out="$stem.partial"
rc=0
if [ $xen = 1 ] && [ -r "$build/xen/xen-4.17.elf" ]; then
    set -- --hv asilab --hv xen --xen-cmdline xpti=dom0=false --xen-cmdline xpti=dom0=true "$@"
elif [ $xen = 1 ]; then
    echo "run-suite: no $build/xen/xen-4.17.elf (xen-hypervisor-4.17-amd64): the model only" >&2
fi
"$build/asilab" run --variant all --workload all --accel auto --image paired --jobs "$(nproc)" --out "$out" "$@" || rc=$?
mode=$(sed -n 's/.*"provenance":{.*"mode":"\([a-z]*\)".*/\1/p' "$out/records.jsonl" 2>/dev/null | head -n 1) || mode=
if [ -n "$mode" ] && mv "$out" "$stem-$mode"; then
    out="$stem-$mode"
fi
if [ -s "$out/records.jsonl" ]; then
    "$build/asilab" plot "$out" || rc=1
    db=${ASILAB_HISTORY:-$top/results/history.sqlite}
    if "$build/asilab" history add --db "$db" "$out"; then
        "$build/asilab" history --db "$db" --changes | tail -n 1
    else
        rc=1
    fi
fi
echo "results: $out/records.jsonl, $out/results.json, plots in $out/plots"
exit $rc
