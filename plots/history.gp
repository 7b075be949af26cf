# history.gp: one op's cost per run (result sets in date order), one line
# per series (variant, image, host, mode), p10-p90 as error bars; x tics
# are the runs' git revisions.
# gnuplot -e "dat='X.dat'; title='...'; ylabel='...'; ns=N; step=K" history.gp
# (every K-th run's revision labelled)
# X.dat: per series a block (two blank lines between blocks) whose first
# line is its title in double quotes, then "run median p10 p90 git_rev".
set datafile separator "\t"
set key below noenhanced
set key autotitle columnheader
set title title noenhanced
set ylabel ylabel
set xlabel 'run (result sets in date order; git revision)'
set grid
set xtics rotate by -45 noenhanced
set offsets 0.5, 0.5, graph 0.05, graph 0.05
plot for [i=0:ns-1] dat index i using 1:2:3:4:xticlabels((int(column(1)) - 1) % step == 0 ? strcol(5) : "") with yerrorlines title columnheader(1)
