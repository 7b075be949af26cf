#!/bin/sh
# plot_test.sh ASILAB OUTDIR: a real run (two variants, a few workloads
# and the exposure audit, lean and counting images) plotted by `asilab
# plot`: every expected plot exists as a non-empty PNG and SVG, the cost
# vs exposure fronts and the isolation deltas say what the two
# strategies do, and a directory without records is refused.
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
grep -q "^per_pcpu_l4 8 " "$out/plots/exposure.dat" || { echo "exposure.dat lacks per_pcpu_l4's 8 KiB"; fails=1; }
# The Pareto fronts: in guest mode per_pcpu_l4 (least exposed) and
# shared_l4 (cheapest); in hv mode both map the same, so shared_l4 alone.
[ "$(cut -d' ' -f3 "$out/plots/exposure_front_guest.dat" | tr '\n' ' ')" = "variant per_pcpu_l4 shared_l4 " ] ||
    { echo "guest-mode front:"; cat "$out/plots/exposure_front_guest.dat"; fails=1; }
[ "$(cut -d' ' -f3 "$out/plots/exposure_front_hv.dat" | tr '\n' ' ')" = "variant shared_l4 " ] ||
    { echo "hv-mode front:"; cat "$out/plots/exposure_front_hv.dat"; fails=1; }
grep -q "^hypercall/null_hypercall 6$" "$out/plots/isolation_deltas.dat" ||
    { echo "isolation_deltas.dat: per_pcpu_l4's null hypercall is not shared_l4's + 6"; cat "$out/plots/isolation_deltas.dat"; fails=1; }
mkdir -p "$out.empty"
"$asilab" plot "$out.empty" 2>/dev/null && { echo "plot of an empty directory succeeded"; fails=1; }
[ $fails = 0 ] && echo "plots: ok"
exit $fails
