# ops.gp: clustered bars, one cluster per op of one workload, one bar per
# variant: the median with p10-p90 error bars.
# gnuplot -e "dat='W.dat'; title='...'; ylabel='insns per op'; nv=N; logy=0|1" ops.gp
# (logy=1: a logarithmic y axis, for ops whose costs span over 1000x)
# W.dat: a header "op v1 p10 p90 v2 p10 p90 ... vN p10 p90", then one row
# per op.
set datafile separator whitespace
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.8 border -1
set key outside right top
set xtics rotate by -30 noenhanced
set ylabel ylabel
set title title noenhanced
set grid ytics
if (exists("logy") && logy) { set logscale y; set yrange [*:*] } else { set yrange [0:*] }
plot for [i=1:nv] dat using (column(3*i-1)):(column(3*i)):(column(3*i+1)):xtic(1) \
     title columnheader(3*i-1)
