# events.gp: stacked event breakdown, one bar per (op, variant) row.
# gnuplot -e "dat='events_W.dat'; title='...'; ne=N" events.gp
# events_W.dat: a header "label e1 e2 ... eN", then one row per op/variant.
# (asilab plot runs it without a shell; the script runs none either)
set datafile separator whitespace
set style data histogram
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.8
set key outside right top noenhanced
set xtics rotate by -45 noenhanced font ",8"
set ylabel "events per op (l4_copy / 496 = root copies)" noenhanced
set title title noenhanced
set grid ytics
plot for [i=2:ne+1] dat using i:xtic(1) title columnheader(i)
