# exposure.gp: cost vs exposure, one panel per mode.  x: KiB of foreign
# data mapped at supervisor level (other domains, other pCPUs' stacks,
# other vCPUs' windows, from the isolation auditor) while a guest runs
# (left) and while the hv runs for it (right); y: geometric mean of the
# variant's cost over the ops every variant ran.  The grey line is the
# Pareto front: the variants no other one beats on both.
# gnuplot -e "dat='exposure.dat'; front_guest='...'; front_hv='...';
#             title='...'; ylabel='...'" exposure.gp
# exposure.dat: "variant guest_foreign_kib hv_foreign_kib geomean";
# front files: "foreign_kib geomean variant", ordered by exposure.
set datafile separator whitespace
set key off
set grid
set offsets 0, graph 0.3, graph 0.1, graph 0.1
set xrange [0:*]   # both panels from 0: exposures compare across modes
set multiplot layout 1,2 title title noenhanced
set ylabel ylabel
set xlabel "foreign data mapped in guest mode (KiB)"
plot front_guest using 1:2 with lines lw 2 lc rgb "#999999", \
     dat using 2:4 with points pt 7 ps 1.2 lc rgb "#1f77b4", \
     dat using 2:4:1 with labels offset 0.8,0.5 left font ",8" noenhanced
set xlabel "foreign data mapped in hv mode (KiB)"
plot front_hv using 1:2 with lines lw 2 lc rgb "#999999", \
     dat using 3:4 with points pt 7 ps 1.2 lc rgb "#1f77b4", \
     dat using 3:4:1 with labels offset 0.8,0.5 left font ",8" noenhanced
unset multiplot
