/* results.c — OUT/results.json: the run's result records (from
 * records.jsonl) as Google Benchmark JSON through gbench.h: one benchmark
 * per record with its samples as manual iteration times, its events and
 * statistics as counters, and the run's provenance as context.  A lean
 * image's result paired with the counting image's (pair.c) is one
 * benchmark: the lean samples and statistics, the counting one's events
 * and median (counting_median). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asilab.h"
#include "gbench.h"

/* One benchmark: a result record replayed sample by sample. */
struct bm {
    char *name, *label;
    json_t *rec;           /* owned */
    json_t *counted;       /* owned: rec's counting partner, or NULL */
    double *secs;          /* every sample's per-op value, in seconds */
    size_t n;
};

/* Record members reported as counters besides the events (record's unit). */
static const char *const stat_counters[] = {
    "min", "p10", "median", "p90", "max", "overhead",
};

/* Why a result record is skipped: record_accept's reasons, or no values. */
enum { SKIP_VALUES = NACCEPT, NSKIP };

/* Provenance members that become context entries: distinct values of the
 * included records, joined by ", ".  "date" is renamed: Google Benchmark's
 * context has its own (when results.json was written). */
static const char *const ctx_keys[][2] = {
    { "host_cpu", "host_cpu" }, { "cpu_family", "cpu_family" },
    { "cpu_model", "cpu_model" }, { "cpu_stepping", "cpu_stepping" },
    { "microcode", "microcode" }, { "host_kernel", "host_kernel" },
    { "hostname", "hostname" }, { "qemu_version", "qemu_version" },
    { "accel", "accel" }, { "mode", "mode" }, { "image", "images" }, { "git_rev", "git_rev" },
    { "date", "run_date" }, { "variant", "variants" }, { "workload", "workloads" },
    { "pcid", "pcid" },
};
#define NCTX (sizeof ctx_keys / sizeof ctx_keys[0])

static void replay(gb_state *st, void *ctx)
{
    const struct bm *b = ctx;
    const char *name;
    json_t *v;
    size_t i = 0;
    while (gb_keep_running(st))
        gb_set_iteration_time(st, b->secs[i++ % b->n]);
    json_object_foreach(json_object_get(b->counted ? b->counted : b->rec, "events"),
                        name, v)
        gb_counter(st, name, json_number_value(v), GB_COUNTER_PLAIN);
    /* A perfc=y Xen's own counters, by Xen's names (records.c held them
     * to safe names). */
    json_object_foreach(json_object_get(b->rec, "xen_perfc"), name, v) {
        char key[96];
        snprintf(key, sizeof(key), "xen_perfc.%s", name);
        gb_counter(st, key, json_number_value(v), GB_COUNTER_PLAIN);
    }
    if (b->counted && json_is_number(v = json_object_get(b->counted, "median")))
        gb_counter(st, "counting_median", json_number_value(v), GB_COUNTER_PLAIN);
    for (size_t k = 0; k < sizeof stat_counters / sizeof *stat_counters; k++)
        if (json_is_number(v = json_object_get(b->rec, stat_counters[k])))
            gb_counter(st, stat_counters[k], json_number_value(v), GB_COUNTER_PLAIN);
    gb_label(st, b->label);
}

static const char *str_of(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));   /* NULL unless a string */
}

/* Seconds per unit of the record's values, or 0 if unknown. */
static double unit_seconds(json_t *rec)
{
    const char *unit = str_of(rec, "unit");
    json_t *khz = json_object_get(rec, "tsc_khz");
    if (unit && strcmp(unit, "insns") == 0)
        return 1e-9;                          /* one instruction = 1 ns */
    if (unit && strcmp(unit, "tsc_ticks") == 0 && json_is_number(khz) &&
        json_number_value(khz) > 0)
        return 1.0 / (json_number_value(khz) * 1000.0);
    return 0;
}

/* Whether a result record can become a benchmark: record_accept, and
 * usable values; else *why. */
bool result_usable(json_t *rec, int *why)
{
    json_t *values = json_object_get(rec, "values"), *v;
    size_t i;
    if ((*why = (int)record_accept(rec)) != ACCEPT_OK)
        return false;
    *why = SKIP_VALUES;
    if (!json_is_array(values) || json_array_size(values) == 0 || unit_seconds(rec) == 0)
        return false;
    json_array_foreach(values, i, v)
        if (!json_is_number(v) || !(json_number_value(v) >= 0) ||
            !isfinite(json_number_value(v)))
            return false;
    return true;
}

/* The benchmark of a usable record; counted: its counting partner or NULL. */
static void take(json_t *rec, json_t *counted, struct bm *b)
{
    json_t *values = json_object_get(rec, "values"), *v;
    const char *w = str_of(rec, "workload"), *op = str_of(rec, "op");
    const char *var = str_of(rec, "variant"), *unit = str_of(rec, "unit");
    double scale = unit_seconds(rec);
    size_t i;
    b->n = json_array_size(values);
    b->secs = xmalloc(b->n * sizeof *b->secs);
    json_array_foreach(values, i, v)
        b->secs[i] = json_number_value(v) * scale;
    /* A +pcid image says whether it ran tagged: "unavailable" ones ran
     * the untagged code, and must not pass for PCID's numbers. */
    const char *pcid = str_of(json_object_get(rec, "provenance"), "pcid");
    bool say_pcid = pcid && strcmp(pcid, "off") != 0;
    b->name = xasprintf("%s/%s/%s", w, op, var);
    b->label = xasprintf("%s/op, %zu samples x %lld ops%s, %s%s%s", unit, b->n,
                         (long long)json_integer_value(json_object_get(rec, "ops")),
                         json_is_true(json_object_get(rec, "multimodal")) ? ", multimodal" : "",
                         result_xen(rec) ? (json_object_get(rec, "events") ? "Xen, events from its perf counters"
                                                                    : "Xen, no events")
                         : !result_lean(rec) ? "counting image"
                         : counted ? "lean image, events from the counting image"
                                   : "lean image, no events",
                         say_pcid ? ", pcid " : "", say_pcid ? pcid : "");
    b->rec = json_incref(rec);
    b->counted = counted ? json_incref(counted) : NULL;
}

/* A provenance member as text (strings and integers), or NULL. */
static char *prov_text(json_t *prov, const char *k)
{
    json_t *v = json_object_get(prov, k);
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    if (json_is_integer(v))
        return xasprintf("%lld", (long long)json_integer_value(v));
    return NULL;
}

static void add_context(struct bm *bms, size_t n, size_t skipped)
{
    struct strlist vals[NCTX] = { { 0 } }, ids = { 0 };
    bool insns = false, cycles = false;
    for (size_t i = 0; i < n; i++) {
        for (int c = 0; c < 2; c++) {   /* the image of its cost, of its events */
            json_t *r = c ? bms[i].counted : bms[i].rec;
            json_t *pv = json_object_get(r, "provenance");
            if (!r)
                continue;
            for (size_t k = 0; k < NCTX; k++) {
                char *t = prov_text(pv, ctx_keys[k][0]);
                if (t && !strlist_has(&vals[k], t))
                    strlist_push(&vals[k], t);
                free(t);
            }
            char *id = xasprintf("%s%s=%s", str_of(pv, "variant") ? str_of(pv, "variant") : "?",
                                 result_lean(r) ? "[lean]" : "",
                                 str_of(pv, "build_id") ? str_of(pv, "build_id") : "?");
            if (!strlist_has(&ids, id))
                strlist_push(&ids, id);
            free(id);
        }
        insns |= strcmp(str_of(bms[i].rec, "unit"), "insns") == 0;
        cycles |= strcmp(str_of(bms[i].rec, "unit"), "tsc_ticks") == 0;
    }
    for (size_t k = 0; k < NCTX; k++) {
        if (vals[k].n) {
            char *j = strlist_join(&vals[k], ", ");
            gb_context(ctx_keys[k][1], j);
            free(j);
        }
        strlist_free(&vals[k]);
    }
    char *j = strlist_join(&ids, ", ");
    gb_context("build_ids", j);
    free(j);
    strlist_free(&ids);
    char *note = xasprintf(
        "real_time is the mean per-op value of the samples (the iterations), "
        "each sample one iteration: %s%s%s; cpu_time is the same measured "
        "time; counters min..max and overhead are in the "
        "record's unit, events are per-op averages; a benchmark of a lean "
        "image (label 'lean image') has the lean image's samples and "
        "statistics and, when paired, the counting image's events and median "
        "(counting_median) from the same boot",
        insns ? "deterministic mode (TCG icount), 1 instruction reported as 1 ns" : "",
        insns && cycles ? "; " : "",
        cycles ? "timing mode, TSC ticks (unit tsc_ticks) converted to ns with each record's tsc_khz" : "");
    gb_context("time_unit_note", note);
    free(note);
    char *s = xasprintf("%zu", skipped);
    gb_context("skipped_records", s);
    free(s);
    gb_context("records", "records.jsonl");
}

/* Whether path holds Google Benchmark JSON with n benchmarks. */
static bool check_written(const char *path, size_t n)
{
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    bool ok = json_is_array(json_object_get(j, "benchmarks")) &&
              json_array_size(json_object_get(j, "benchmarks")) == n;
    if (!ok)
        note("'%s' is not what was written: %s", path,
             j ? "wrong number of benchmarks" : err.text);
    json_decref(j);
    return ok;
}

bool results_write(const char *records_path, const char *out_dir)
{
    FILE *f = fopen(records_path, "r");
    if (!f) {
        note("cannot read '%s': %s", records_path, strerror(errno));
        return false;
    }
    struct bm *bms = NULL;
    json_t **use = NULL;              /* the usable result records, in order */
    size_t nuse = 0, cap = 0, nbm = 0, nres = 0, npaired = 0, skips[NSKIP] = { 0 },
           nskip = 0;
    struct strlist names = { 0 };
    char *line = NULL;
    size_t lcap = 0;
    while (getline(&line, &lcap, f) > 0) {
        json_t *rec = json_loads(line, 0, NULL);
        const char *type = str_of(rec, "type");
        int why;
        if (type && strcmp(type, "result") == 0) {
            nres++;
            if (result_usable(rec, &why)) {
                if (nuse == cap)
                    use = xrealloc(use, (cap = cap ? 2 * cap : 32) * sizeof *use);
                use[nuse++] = json_incref(rec);
            } else {
                skips[why]++;
                nskip++;
            }
        }
        json_decref(rec);
    }
    free(line);
    fclose(f);

    long *partner = xmalloc((nuse ? nuse : 1) * sizeof *partner);
    results_pair(use, nuse, partner);
    bms = xmalloc((nuse ? nuse : 1) * sizeof *bms);
    for (size_t i = 0; i < nuse; i++) {
        json_t *rec = use[i];
        if (!result_lean(rec) && partner[i] >= 0)
            continue;          /* its events went to its lean partner */
        struct bm b = { 0 };
        take(rec, partner[i] >= 0 ? use[partner[i]] : NULL, &b);
        npaired += partner[i] >= 0;
        /* the same op twice in one rep (e.g. a series and a workload)
         * gets #2, ...; another --reps rep of it keeps the name:
         * compare.py reads those as repetitions */
        json_int_t rp = json_integer_value(
            json_object_get(json_object_get(rec, "provenance"), "rep"));
        char *key = xasprintf("%lld:%s", (long long)rp, b.name);
        for (int k = 2; strlist_has(&names, key); k++) {
            free(b.name);
            free(key);
            b.name = xasprintf("%s/%s/%s#%d", str_of(rec, "workload"),
                               str_of(rec, "op"), str_of(rec, "variant"), k);
            key = xasprintf("%lld:%s", (long long)rp, b.name);
        }
        strlist_push(&names, key);
        free(key);
        bms[nbm++] = b;
    }
    for (size_t i = 0; i < nuse; i++)
        json_decref(use[i]);
    free(use);
    free(partner);

    char *path = xasprintf("%s/results.json", out_dir);
    const char *skip_what[NSKIP];
    memcpy(skip_what, accept_what, sizeof accept_what);
    skip_what[SKIP_VALUES] = "without usable values";
    char *why = accept_counts(skips, skip_what, NSKIP);
    char *paired_note = npaired ? xasprintf(", %zu of them lean costs with the counting "
                                            "image's events", npaired) : xstrdup("");
    bool ok = true;
    if (nbm == 0) {
        unlink(path);          /* no stale file next to the new records */
        if (nres)
            fprintf(stderr, "benchmarks: %s not written: all %zu result records "
                    "skipped (%s)\n", path, nres, why);
    } else {
        char *arg_out = xasprintf("--benchmark_out=%s", path);
        static char argv0[] = "asilab", fmt[] = "--benchmark_out_format=json";
        char *argv[] = { argv0, arg_out, fmt, NULL };
        int argc = 3;
        gb_init(&argc, argv);
        add_context(bms, nbm, nskip);
        for (size_t i = 0; i < nbm; i++) {
            gb_bench *b = gb_register(bms[i].name, replay, &bms[i]);
            if (!b) {
                ok = false;
                break;
            }
            gb_iterations(b, (int64_t)bms[i].n);
            gb_use_manual_time(b);
            gb_time_unit(b, GB_NS);
        }
        ok = ok && gb_run_all(GB_CONSOLE_NONE, true) == (int)nbm &&
             check_written(path, nbm);
        gb_shutdown();
        free(arg_out);
        if (ok)
            fprintf(stderr, "benchmarks: %s (%zu benchmark%s%s, %zu result record%s "
                    "skipped%s%s)\n", path, nbm, nbm == 1 ? "" : "s", paired_note,
                    nskip, nskip == 1 ? "" : "s", nskip ? ": " : "", why);
        else
            note("error writing '%s'", path);
    }
    for (size_t i = 0; i < nbm; i++) {
        free(bms[i].name);
        free(bms[i].label);
        free(bms[i].secs);
        json_decref(bms[i].rec);
        json_decref(bms[i].counted);
    }
    free(bms);
    strlist_free(&names);
    free(path);
    free(why);
    free(paired_note);
    return ok;
}
