# exposure.gp: cost vs exposure.  x: KiB of foreign data mapped while a
# guest runs (other domains, other pCPUs' stacks, other vCPUs' windows,
# from the isolation auditor); y: geometric mean of the variant's cost
# over the ops every variant ran.  The trade-off each strategy makes.
# gnuplot -e "dat='exposure.dat'; title='...'; ylabel='...'" exposure.gp
set datafile separator whitespace
set key off
set xlabel "foreign data mapped in guest mode (KiB)"
set ylabel ylabel
set title title noenhanced
set grid
set offsets graph 0.05, graph 0.15, graph 0.1, graph 0.1
plot dat using 2:3 with points pt 7 ps 1.5, \
     dat using 2:3:1 with labels offset 1,1 left noenhanced
