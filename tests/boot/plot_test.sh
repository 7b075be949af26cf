#!/bin/sh
# plot_test.sh ASILAB OUTDIR: a real run (two variants, a few workloads
# and the exposure audit) plotted by `asilab plot`: every expected plot
# exists as a non-empty PNG and SVG, and a directory without records is
# refused.
set -u
asilab=$1 out=$2 fails=0
rm -rf "$out"
"$asilab" run --variant shared_l4,per_pcpu_l4 --workload hypercall,ctxsw,exposure \
    --accel tcg --smp 2 --image paired --out "$out" >"$out.log" 2>&1 || { echo "run failed"; cat "$out.log"; exit 1; }
"$asilab" plot "$out" >>"$out.log" 2>&1 || { echo "plot failed"; cat "$out.log"; exit 1; }
for p in hypercall ctxsw hypercall_norm ctxsw_norm events_ctxsw cost_vs_exposure; do
    png="$out/plots/$p.png" svg="$out/plots/$p.svg"
    [ -s "$png" ] && [ "$(head -c 4 "$png" | od -An -c | tr -d ' ')" = '211PNG' ] \
        || { echo "$png missing or not a PNG"; fails=1; }
    [ -s "$svg" ] && grep -q '<svg' "$svg" || { echo "$svg missing or not an SVG"; fails=1; }
done
grep -q "per_pcpu_l4 8 " "$out/plots/exposure.dat" || { echo "exposure.dat lacks per_pcpu_l4's 8 KiB"; fails=1; }
mkdir -p "$out.empty"
"$asilab" plot "$out.empty" 2>/dev/null && { echo "plot of an empty directory succeeded"; fails=1; }
[ $fails = 0 ] && echo "plots: ok"
exit $fails
