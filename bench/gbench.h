/* gbench.h — a thin C API over Google Benchmark (C++, no C API of its own). */
#ifndef ASILAB_GBENCH_H
#define ASILAB_GBENCH_H

/* Usage: gb_init(&argc, argv) takes the --benchmark_* flags (e.g.
 * --benchmark_out=FILE --benchmark_out_format=json) out of argv; then
 * gb_register() each benchmark and set its options; gb_context() adds
 * key/value pairs to the report's "context"; gb_run_all() runs them;
 * gb_shutdown() frees everything.  A benchmark's callback loops
 *     while (gb_keep_running(st)) { ...one iteration...; }
 * and may report each iteration's time itself (gb_use_manual_time +
 * gb_set_iteration_time), set counters and a label.  Strings are copied.
 * Not thread-safe; benchmarks run one after another in registration order. */

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gb_state gb_state;   /* a running benchmark (benchmark::State) */
typedef struct gb_bench gb_bench;   /* a registered one (benchmark::internal::Benchmark) */
typedef void gb_fn(gb_state *st, void *ctx);

/* How a counter's value is reported (Google Benchmark's Counter::Flags). */
enum gb_counter_flags {
    GB_COUNTER_PLAIN = 0,               /* as set */
    GB_COUNTER_RATE = 1,                /* divided by the run's time (per second) */
    GB_COUNTER_ITERATION_INVARIANT = 4, /* multiplied by the iterations */
    GB_COUNTER_AVG_ITERATIONS = 8,      /* divided by the iterations (an average) */
};

enum gb_time_unit { GB_NS, GB_US, GB_MS, GB_S };

/* Where the human-readable table goes while gb_run_all() runs. */
enum gb_console {
    GB_CONSOLE_STDOUT,  /* Google Benchmark's default (--benchmark_format applies) */
    GB_CONSOLE_STDERR,  /* the plain console table on stderr */
    GB_CONSOLE_NONE,    /* nothing */
};

/* Parse and remove the --benchmark_* flags; argv[0] must outlive the run
 * (it is reported as "executable").  Call once, before the rest. */
void gb_init(int *argc, char **argv);

/* Register fn(st, ctx) as benchmark NAME; NULL on failure. */
gb_bench *gb_register(const char *name, gb_fn *fn, void *ctx);
void gb_iterations(gb_bench *b, int64_t n);   /* exactly n iterations, one run */
void gb_use_manual_time(gb_bench *b);         /* real_time = sum of set times */
void gb_time_unit(gb_bench *b, enum gb_time_unit u);

/* Inside the callback. */
bool gb_keep_running(gb_state *st);
void gb_set_iteration_time(gb_state *st, double seconds);
void gb_counter(gb_state *st, const char *name, double value, int flags);
void gb_label(gb_state *st, const char *label);

/* A "context" entry of the report (benchmark::AddCustomContext); control
 * characters are replaced by spaces (the JSON writer does not escape them). */
void gb_context(const char *key, const char *value);

/* Run every registered benchmark.  plain_names: the JSON output file
 * (--benchmark_out with format json) names each benchmark exactly as
 * registered, without the "/iterations:N" and "/manual_time" suffixes
 * Google Benchmark appends.  Returns how many ran, or -1 if the output
 * file cannot be written (Google Benchmark itself would exit(1)). */
int gb_run_all(enum gb_console console, bool plain_names);

/* Forget the registered benchmarks and the context. */
void gb_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif
