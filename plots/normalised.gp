# normalised.gp: each op's median per variant divided by shared_l4's
# (1 = the cost without isolation).
# gnuplot -e "dat='W_norm.dat'; title='...'; nv=N" normalised.gp
# W_norm.dat: a header "op v1 ... vN", then one row per op.
set datafile separator whitespace
set style data histogram
set style histogram clustered gap 2
set style fill solid 0.8 border -1
set key outside right top
set xtics rotate by -30 noenhanced
set ylabel "cost / shared_l4" noenhanced
set title title noenhanced
set grid ytics
set yrange [0:*]
plot for [i=2:nv+1] dat using i:xtic(1) title columnheader(i), 1 with lines lc rgb "black" dt 2 notitle
