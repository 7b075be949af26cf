/* gbench_demo.c — two benchmarks through the C API of bench/gbench.h, with
 * manual times, counters, a label and context, for gbench_test.sh.
 *   gbench_demo [--benchmark_...] [scale=F] [plain] [console=stdout|stderr|none]
 * demo/alpha: 4 iterations of 100, 200, 300, 400 ns (x F); counters
 *   events = 2.5 (plain), total = 40 (averaged over iterations: 10);
 * demo/beta: 2 iterations of 1000, 3000 ns (x F); counter events = 0.
 * Exit status 0 when both ran. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbench.h"

struct demo {
    const double *ns;
    size_t n;
    double scale, events, total;
    const char *label;
};

static void run(gb_state *st, void *ctx)
{
    const struct demo *d = ctx;
    size_t i = 0;
    while (gb_keep_running(st))
        gb_set_iteration_time(st, d->ns[i++ % d->n] * d->scale * 1e-9);
    gb_counter(st, "events", d->events, GB_COUNTER_PLAIN);
    if (d->total)
        gb_counter(st, "total", d->total, GB_COUNTER_AVG_ITERATIONS);
    gb_label(st, d->label);
}

int main(int argc, char **argv)
{
    static const double a_ns[] = { 100, 200, 300, 400 }, b_ns[] = { 1000, 3000 };
    struct demo a = { a_ns, 4, 1, 2.5, 40, "alpha label" };
    struct demo b = { b_ns, 2, 1, 0, 0, "beta label" };
    enum gb_console console = GB_CONSOLE_NONE;
    bool plain = false;

    gb_init(&argc, argv);
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "scale=", 6) == 0)
            a.scale = b.scale = atof(argv[i] + 6);
        else if (strcmp(argv[i], "plain") == 0)
            plain = true;
        else if (strcmp(argv[i], "console=stdout") == 0)
            console = GB_CONSOLE_STDOUT;
        else if (strcmp(argv[i], "console=stderr") == 0)
            console = GB_CONSOLE_STDERR;
        else if (strcmp(argv[i], "console=none") == 0)
            console = GB_CONSOLE_NONE;
        else {
            fprintf(stderr, "gbench_demo: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }
    gb_context("demo_key", "demo\tvalue");
    gb_bench *ba = gb_register("demo/alpha", run, &a);
    gb_bench *bb = gb_register("demo/beta", run, &b);
    if (!ba || !bb)
        return 1;
    gb_iterations(ba, 4);
    gb_iterations(bb, 2);
    gb_use_manual_time(ba);
    gb_use_manual_time(bb);
    gb_time_unit(ba, GB_NS);
    gb_time_unit(bb, GB_NS);
    int n = gb_run_all(console, plain);
    gb_shutdown();
    return n == 2 ? 0 : 1;
}
