# scaling.gp: one line per variant, cost per op against a series'
# parameter (vCPUs per pCPU, remote target pCPUs, pages touched).
# gnuplot -e "dat='scaling_X.dat'; title='...'; xlabel='...'; ylabel='...'; nv=N" scaling.gp
# scaling_X.dat: a header "x v1 v2 ... vN", then one row per x.
set datafile separator whitespace
set key outside right top noenhanced
set xlabel xlabel
set ylabel ylabel
set title title noenhanced
set grid
plot for [i=2:nv+1] dat using 1:i with linespoints title columnheader(i)
