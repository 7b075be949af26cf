// gbench.cc — the C API of gbench.h over Google Benchmark (the project's
// only C++ file): each call forwards to the C++ API; reporters for a quiet
// console and for plain benchmark names in the JSON file.
#include "gbench.h"

#include <benchmark/benchmark.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace {

// The output file and its format, as given to gb_init (Google Benchmark
// keeps its flags private); the format defaults to json as there.
std::string out_file;
std::string out_format = "json";

benchmark::State *S(gb_state *st) { return reinterpret_cast<benchmark::State *>(st); }
gb_state *C(benchmark::State &st) { return reinterpret_cast<gb_state *>(&st); }
benchmark::internal::Benchmark *B(gb_bench *b)
{
    return reinterpret_cast<benchmark::internal::Benchmark *>(b);
}

// The display reporter of GB_CONSOLE_NONE.
class NullReporter : public benchmark::BenchmarkReporter {
public:
    bool ReportContext(const Context &) override { return true; }
    void ReportRuns(const std::vector<Run> &) override {}
};

// JSON with each benchmark named as registered: the "/iterations:N" and
// "/manual_time" parts Google Benchmark adds to "name" and "run_name"
// dropped; and, for a manual-time benchmark, cpu_time the measured
// (manual) time: Google Benchmark would put the runner's own CPU time
// there, which is noise that compare.py then reports as a difference.
class PlainJSONReporter : public benchmark::JSONReporter {
public:
    void ReportRuns(const std::vector<Run> &runs) override
    {
        std::vector<Run> plain(runs);
        for (Run &r : plain) {
            if (r.run_name.time_type == "manual_time")
                r.cpu_accumulated_time = r.real_accumulated_time;
            r.run_name.iterations.clear();
            r.run_name.time_type.clear();
        }
        JSONReporter::ReportRuns(plain);
    }
};

constexpr bool same(int a, int b) { return a == b; }
static_assert(same(GB_COUNTER_RATE, benchmark::Counter::kIsRate) &&
                  same(GB_COUNTER_ITERATION_INVARIANT,
                       benchmark::Counter::kIsIterationInvariant) &&
                  same(GB_COUNTER_AVG_ITERATIONS, benchmark::Counter::kAvgIterations),
              "gb_counter_flags are Google Benchmark's Counter::Flags");

} // namespace

extern "C" {

void gb_init(int *argc, char **argv)
{
    static const char out[] = "--benchmark_out=", fmt[] = "--benchmark_out_format=";
    for (int i = 1; i < *argc; i++) {
        if (std::strncmp(argv[i], out, sizeof out - 1) == 0)
            out_file = argv[i] + sizeof out - 1;
        else if (std::strncmp(argv[i], fmt, sizeof fmt - 1) == 0)
            out_format = argv[i] + sizeof fmt - 1;
    }
    benchmark::Initialize(argc, argv);
}

gb_bench *gb_register(const char *name, gb_fn *fn, void *ctx)
{
    try {
        auto *b = benchmark::RegisterBenchmark(
            name, [fn, ctx](benchmark::State &st) { fn(C(st), ctx); });
        return reinterpret_cast<gb_bench *>(b);
    } catch (...) {
        return nullptr;
    }
}

void gb_iterations(gb_bench *b, int64_t n) { B(b)->Iterations(n); }
void gb_use_manual_time(gb_bench *b) { B(b)->UseManualTime(); }

void gb_time_unit(gb_bench *b, enum gb_time_unit u)
{
    static const benchmark::TimeUnit units[] = {
        benchmark::kNanosecond, benchmark::kMicrosecond,
        benchmark::kMillisecond, benchmark::kSecond,
    };
    B(b)->Unit(units[u]);
}

bool gb_keep_running(gb_state *st) { return S(st)->KeepRunning(); }
void gb_set_iteration_time(gb_state *st, double seconds) { S(st)->SetIterationTime(seconds); }
void gb_label(gb_state *st, const char *label) { S(st)->SetLabel(label); }

void gb_counter(gb_state *st, const char *name, double value, int flags)
{
    S(st)->counters[name] =
        benchmark::Counter(value, static_cast<benchmark::Counter::Flags>(flags));
}

void gb_context(const char *key, const char *value)
{
    std::string v(value);
    for (char &c : v)
        if (static_cast<unsigned char>(c) < 0x20)
            c = ' ';
    benchmark::AddCustomContext(key, v);
}

int gb_run_all(enum gb_console console, bool plain_names)
{
    if (!out_file.empty()) {
        // Google Benchmark exit(1)s when it cannot open the file: try first.
        std::FILE *f = std::fopen(out_file.c_str(), "a");
        if (!f) {
            std::fprintf(stderr, "gbench: cannot write '%s': %s\n", out_file.c_str(),
                         std::strerror(errno));
            return -1;
        }
        std::fclose(f);
    }
    NullReporter none;
    benchmark::ConsoleReporter err(benchmark::ConsoleReporter::OO_None);
    err.SetOutputStream(&std::cerr);
    benchmark::BenchmarkReporter *display =
        console == GB_CONSOLE_NONE ? static_cast<benchmark::BenchmarkReporter *>(&none)
        : console == GB_CONSOLE_STDERR ? &err : nullptr;
    PlainJSONReporter plain;
    benchmark::BenchmarkReporter *file =
        plain_names && !out_file.empty() && out_format == "json" ? &plain : nullptr;
    size_t n = benchmark::RunSpecifiedBenchmarks(display, file);
    std::cout.flush();
    return static_cast<int>(n);
}

void gb_shutdown(void)
{
    benchmark::ClearRegisteredBenchmarks();
    benchmark::Shutdown();
}

} // extern "C"
