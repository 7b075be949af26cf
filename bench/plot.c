/* plot.c — `asilab plot DIR`: turn DIR/records.jsonl into gnuplot data
 * files and draw PNG and SVG plots with the scripts in plots/: per
 * workload clustered bars (median, p10-p90) and the same normalised to
 * shared_l4, a stacked event breakdown, cost vs exposure (per mode, the
 * Pareto front drawn), a per-op table of isolation deltas
 * (isolation_deltas.dat: cost minus shared_l4's), scaling curves, and
 * real Xen beside the model (xen_compare: shared_l4 and per_pcpu_l4 next
 * to every Xen configuration on the ops Xen ran; xen_ratios.dat).  The records are those results.json takes (record_accept:
 * passed boots, valid, safe names; the rest counted on one line).
 * gnuplot runs without a shell; record strings reach it only inside
 * quoted strings, and file names only from safe names. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asilab.h"

#define MAXV 64
#define MAXR 8192

#define MAXREP 64

struct res {
    const char *workload, *op, *variant;
    const char *boot;            /* qemu_cmdline: the same boot in every rep */
    double median, p10, p90;
    json_t *events;
    double medians[MAXREP];      /* per --reps rep */
    int nrep;
};

static struct res res[MAXR];
static size_t nres;
static const char *variants[MAXV];
static size_t nvariants;
/* Per variant, the foreign KiB mapped in guest mode [0] and hv mode [1]
 * (other domains, shared or not, other pCPUs' stacks, other vCPUs'
 * windows; not the mapcache's handful of frames, mostly its own): the
 * largest over its exposure records, as the run's exposure table. */
struct expo { const char *variant; double kib[2]; bool have[2]; };
static struct expo expo[MAXV];
static size_t nexpo;
static char unit[16] = "insns", mode[32] = "deterministic", host[128] = "?";
static const char *images = "counting images";   /* where the costs come from */

/* A Xen configuration's variant (xen.c): never one of asilab's, whose
 * names start with a strategy's. */
static bool is_xen(const char *v)
{
    return strncmp(v, "xen", 3) == 0;
}

static int vindex(const char *v)
{
    for (size_t i = 0; i < nvariants; i++)
        if (!strcmp(variants[i], v))
            return (int)i;
    if (nvariants == MAXV)
        return -1;
    variants[nvariants] = v;
    return (int)nvariants++;
}

static struct expo *expo_of(const char *v)
{
    for (size_t k = 0; k < nexpo; k++)
        if (!strcmp(expo[k].variant, v))
            return &expo[k];
    return NULL;
}

static void add_exposure(const char *v, json_t *r)
{
    static const char *const cls[] = { "other_domain", "other_pcpu_stack", "other_vcpu_window",
                                       "other_domain_shared" };
    int m = !strcmp(json_string_value(json_object_get(r, "space")), "hv");
    struct expo *x = expo_of(v);
    if (!x && nexpo < MAXV)
        x = &expo[nexpo++], *x = (struct expo){ .variant = v };
    if (!x)
        return;
    double kib = 0;
    for (size_t k = 0; k < 4; k++)
        kib += json_number_value(json_object_get(json_object_get(r, "bytes"), cls[k])) / 1024;
    if (!x->have[m] || kib > x->kib[m])
        x->kib[m] = kib;
    x->have[m] = true;
}

static int cmp_variant(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int sx = strncmp(x, "shared_l4", 9) != 0, sy = strncmp(y, "shared_l4", 9) != 0;
    return sx != sy ? sx - sy : strcmp(x, y);
}

static const struct res *find(const char *w, const char *op, const char *v)
{
    for (size_t i = 0; i < nres; i++)
        if (!strcmp(res[i].workload, w) && !strcmp(res[i].op, op) && !strcmp(res[i].variant, v))
            return &res[i];
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Another --reps rep of a boot already loaded: its median joins the
 * others (the bar: their median; the error bar: the widest p10-p90). */
static bool merge_rep(const char *w, const char *op, const char *v, const char *boot,
                      double median, double p10, double p90)
{
    for (size_t i = 0; boot && i < nres; i++) {
        struct res *x = &res[i];
        if (strcmp(x->workload, w) || strcmp(x->op, op) || strcmp(x->variant, v) ||
            !x->boot || strcmp(x->boot, boot))
            continue;
        if (x->nrep < MAXREP)
            x->medians[x->nrep++] = median;
        double m[MAXREP];
        memcpy(m, x->medians, (size_t)x->nrep * sizeof *m);
        qsort(m, (size_t)x->nrep, sizeof *m, cmp_double);
        x->median = x->nrep % 2 ? m[x->nrep / 2] : (m[x->nrep / 2 - 1] + m[x->nrep / 2]) / 2;
        x->p10 = p10 < x->p10 ? p10 : x->p10;
        x->p90 = p90 > x->p90 ? p90 : x->p90;
        return true;
    }
    return false;
}

/* Why a record of records.jsonl is not plotted: record_accept's reasons,
 * a line that is not a JSON object, or the plot's table limits. */
enum { SKIP_UNREADABLE = NACCEPT, SKIP_LIMIT, NSKIP };
static size_t skips[NSKIP], nread;

/* r: a result record; counted: its counting partner (the events), or NULL. */
static void add_result(json_t *r, json_t *counted)
{
    json_t *prov = json_object_get(r, "provenance");
    const char *v = json_string_value(json_object_get(r, "variant"));
    const char *w = json_string_value(json_object_get(r, "workload"));
    const char *op = json_string_value(json_object_get(r, "op"));
    const char *boot = json_string_value(json_object_get(prov, "qemu_cmdline"));
    double med = json_number_value(json_object_get(r, "median"));
    double p10 = json_number_value(json_object_get(r, "p10"));
    double p90 = json_number_value(json_object_get(r, "p90"));
    snprintf(unit, sizeof(unit), "%s", json_string_value(json_object_get(r, "unit")));
    if (json_integer_value(json_object_get(prov, "rep")) > 1 &&
        merge_rep(w, op, v, boot, med, p10, p90))
        return;
    res[nres++] = (struct res){
        .workload = w, .op = op, .variant = v, .boot = boot,
        .median = med, .p10 = p10, .p90 = p90,
        .events = json_object_get(counted ? counted : r, "events"),
        .medians = { med }, .nrep = 1,
    };
}

/* The result and exposure records of path that record_accept takes (the
 * file may have been edited: nothing in it is trusted); the others are
 * counted in skips. */
static int load(const char *path)
{
    static json_t *pend[MAXR];         /* the accepted result records */
    static long partner[MAXR];
    size_t npend = 0;
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    if (!f) {
        fprintf(stderr, "asilab: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    while (getline(&line, &cap, f) > 0) {
        json_t *r = json_loads(line, 0, NULL);
        const char *type = json_string_value(json_object_get(r, "type"));
        if (!json_is_object(r)) {
            skips[SKIP_UNREADABLE]++;
            json_decref(r);
            continue;
        }
        if (!type || (strcmp(type, "result") && strcmp(type, "exposure")))
            continue;        /* calibration, end, ...: not plotted */
        nread++;
        enum accept a = record_accept(r);
        if (a != ACCEPT_OK) {
            skips[a]++;
            continue;
        }
        json_t *prov = json_object_get(r, "provenance");
        const char *v = json_string_value(json_object_get(r, "variant"));
        const char *m = json_string_value(json_object_get(prov, "mode"));
        const char *h = json_string_value(json_object_get(prov, "hostname"));
        bool result = !strcmp(type, "result");
        if (vindex(v) < 0 || (result && npend == MAXR)) {
            skips[SKIP_LIMIT]++;
            continue;
        }
        if (h)          /* only ever inside a quoted gnuplot string */
            snprintf(host, sizeof(host), "%s", h);
        if (m)          /* record_accept: deterministic or timing */
            snprintf(mode, sizeof(mode), "%s", m);
        if (result)
            pend[npend++] = r;
        else
            add_exposure(v, r);
    }
    free(line);
    fclose(f);
    /* a lean result paired with a counting one: the lean cost, the
     * counting events (pair.c) */
    results_pair(pend, npend, partner);
    size_t nlean = 0, ncount = 0;
    for (size_t i = 0; i < npend; i++)
        if (result_lean(pend[i]) || partner[i] < 0) {
            add_result(pend[i], partner[i] >= 0 ? pend[partner[i]] : NULL);
            nlean += result_lean(pend[i]);
            ncount += !result_lean(pend[i]);
        }
    images = !nlean ? "counting images" : !ncount ? "lean images" : "lean and counting images";
    qsort(variants, nvariants, sizeof(*variants), cmp_variant);
    return 0;
}

/* One line saying which records were not plotted and why. */
static void print_skipped(void)
{
    const char *what[NSKIP];
    size_t n = 0;
    memcpy(what, accept_what, sizeof accept_what);
    what[SKIP_UNREADABLE] = "not JSON";
    what[SKIP_LIMIT] = "over the plot's limits";
    for (size_t k = 0; k < NSKIP; k++)
        n += skips[k];
    if (!n)
        return;
    char *why = accept_counts(skips, what, NSKIP);
    fprintf(stderr, "plot: skipped %zu of %zu records: %s\n", n,
            nread + skips[SKIP_UNREADABLE], why);
    free(why);
}

/* Distinct workloads (or ops of one workload) in order of appearance. */
static size_t distinct(const char **out, size_t max, const char *workload)
{
    size_t n = 0;
    for (size_t i = 0; i < nres; i++) {
        const char *k = workload ? res[i].op : res[i].workload;
        if (workload && strcmp(res[i].workload, workload))
            continue;
        size_t j = 0;
        while (j < n && strcmp(out[j], k))
            j++;
        if (j == n && n < max)
            out[n++] = k;
    }
    return n;
}

/* The variables of one plot: dat, title (consumed), optional axis
 * labels, and count_name=count (how many data columns the script plots). */
static char *plot_vars(const char *dat, char *title, const char *xlabel,
                       const char *ylabel, const char *count_name, long count)
{
    char *v = xstrdup("");
    var_str(&v, "dat", dat);
    var_str(&v, "title", title);
    if (xlabel)
        var_str(&v, "xlabel", xlabel);
    if (ylabel)
        var_str(&v, "ylabel", ylabel);
    if (count_name)
        var_int(&v, count_name, count);
    free(title);
    return v;
}

static int plot_workload(const char *dir, const char *scripts, const char *w)
{
    const char *ops[256];
    size_t nops = distinct(ops, 256, w);
    if (!name_ok(w)) {            /* load took safe names only: never */
        fprintf(stderr, "plot: workload name \"%s\" is not safe: skipped\n", w);
        return -1;
    }
    char *dat = xasprintf("%s/%s.dat", dir, w), *ndat = xasprintf("%s/%s_norm.dat", dir, w);
    char *edat = xasprintf("%s/events_%s.dat", dir, w);
    FILE *f = fopen(dat, "w"), *n = fopen(ndat, "w"), *e = fopen(edat, "w");
    /* Each counted once: ipi_sent is the sum of ipi_flush and ipi_event. */
    static const char *const evs[] = { "cr3_load", "tlb_flush", "invlpg", "ipi_flush",
                                       "ipi_event", "gdt_load", "ldt_load", "ctx_switch",
                                       "l4_copy" };
    int rc = 0;
    if (!f || !n || !e)
        return -1;
    /* The variants that ran this workload: a column with no point at all
     * (Xen skips multi-domain workloads) is an error to gnuplot. */
    const char *wv[MAXV];
    size_t nwv = 0;
    for (size_t v = 0; v < nvariants; v++)
        for (size_t o = 0; o < nops; o++)
            if (find(w, ops[o], variants[v])) {
                wv[nwv++] = variants[v];
                break;
            }
    fprintf(f, "op");
    fprintf(n, "op");
    for (size_t v = 0; v < nwv; v++) {
        fprintf(f, " %s p10 p90", wv[v]);
        fprintf(n, " %s", wv[v]);
    }
    fprintf(e, "label");
    for (size_t k = 0; k < sizeof(evs) / sizeof(*evs); k++)
        fprintf(e, " %s", evs[k]);
    fputc('\n', f); fputc('\n', n); fputc('\n', e);
    double lo = INFINITY, hi = 0;     /* the medians' range: log scale past 1000x */
    for (size_t o = 0; o < nops; o++) {
        const struct res *base = find(w, ops[o], "shared_l4");
        fprintf(f, "%s", ops[o]);
        fprintf(n, "%s", ops[o]);
        for (size_t v = 0; v < nwv; v++) {
            const struct res *r = find(w, ops[o], wv[v]);
            fprintf(f, " %g %g %g", r ? r->median : NAN, r ? r->p10 : NAN, r ? r->p90 : NAN);
            fprintf(n, " %g", r && base && base->median > 0 ? r->median / base->median : NAN);
            if (!r)
                continue;
            if (r->median > 0) {
                lo = r->median < lo ? r->median : lo;
                hi = r->median > hi ? r->median : hi;
            }
            if (is_xen(wv[v]))           /* no lab counters on Xen */
                continue;
            fprintf(e, "%s/%s", ops[o], wv[v]);
            for (size_t k = 0; k < sizeof(evs) / sizeof(*evs); k++) {
                /* a lean image's result has no events at all: no bar */
                double x = !r->events ? NAN
                                      : json_number_value(json_object_get(r->events, evs[k]));
                fprintf(e, " %g", !strcmp(evs[k], "l4_copy") ? x / 496 : x);
            }
            fputc('\n', e);
        }
        fputc('\n', f); fputc('\n', n);
    }
    fclose(f); fclose(n); fclose(e);
    char *out = xasprintf("%s/%s", dir, w), *per_op = xasprintf("%s per op", unit);
    bool logy = hi > 1000 * lo;
    char *vars = plot_vars(dat, xasprintf("%s: %s per op, %s, %s mode, %s%s", w, unit, images,
                                          mode, host, logy ? " (log scale)" : ""),
                           NULL, per_op, "nv", (long)nwv);
    var_int(&vars, "logy", logy);
    rc |= gnuplot_draw(scripts, "ops.gp", out, vars);
    free(vars); free(out);
    out = xasprintf("%s/%s_norm", dir, w);
    vars = plot_vars(ndat, xasprintf("%s: cost relative to shared_l4 (%s, %s, %s mode, %s)",
                                     w, unit, images, mode, host), NULL, NULL, "nv", (long)nwv);
    rc |= gnuplot_draw(scripts, "normalised.gp", out, vars);
    free(vars); free(out);
    bool any_events = false;         /* lean images' results have none */
    for (size_t o = 0; o < nops && !any_events; o++)
        for (size_t v = 0; v < nvariants && !any_events; v++) {
            const struct res *r = find(w, ops[o], variants[v]);
            any_events = r && r->events;
        }
    if (any_events) {
        out = xasprintf("%s/events_%s", dir, w);
        vars = plot_vars(edat, xasprintf("%s: events per op (counting images, %s mode, %s)", w, mode, host),
                         NULL, NULL, "ne", (long)(sizeof(evs) / sizeof(*evs)));
        rc |= gnuplot_draw(scripts, "events.gp", out, vars);
        free(vars); free(out);
    }
    free(per_op);
    free(dat); free(ndat); free(edat);
    return rc;
}

/* isolation_deltas.dat: per op (workload/op), each variant's cost minus
 * shared_l4's (the run's costs: lean ones in a paired run); "-" where
 * either is missing.  No shared_l4 in the run: not written. */
static void write_deltas(const char *dir)
{
    if (!nvariants || strcmp(variants[0], "shared_l4"))   /* sorted first if there */
        return;
    char *path = xasprintf("%s/isolation_deltas.dat", dir);
    FILE *f = fopen(path, "w");
    free(path);
    if (!f)
        return;
    fprintf(f, "op");
    for (size_t v = 1; v < nvariants; v++)
        if (!is_xen(variants[v]))          /* Xen's deltas: xen_ratios.dat */
            fprintf(f, " %s", variants[v]);
    fputc('\n', f);
    for (size_t i = 0; i < nres; i++) {
        bool first = true;        /* each (workload, op) once, in record order */
        for (size_t j = 0; j < i && first; j++)
            first = strcmp(res[j].workload, res[i].workload) || strcmp(res[j].op, res[i].op);
        const struct res *base = find(res[i].workload, res[i].op, "shared_l4");
        if (!first || !base)
            continue;
        fprintf(f, "%s/%s", res[i].workload, res[i].op);
        for (size_t v = 1; v < nvariants; v++) {
            const struct res *r = find(res[i].workload, res[i].op, variants[v]);
            if (is_xen(variants[v]))
                continue;
            if (r)
                fprintf(f, " %g", r->median - base->median);
            else
                fprintf(f, " -");
        }
        fputc('\n', f);
    }
    fclose(f);
}

/* The geometric mean of v's costs over the ops every asilab variant has;
 * 0 if none. */
static double geomean(const char *v)
{
    double logsum = 0;
    size_t n = 0;
    for (size_t i = 0; i < nres; i++) {
        if (strcmp(res[i].variant, v) || res[i].median <= 0)
            continue;
        bool everywhere = true;
        for (size_t u = 0; u < nvariants && everywhere; u++)   /* Xen runs fewer ops */
            everywhere = is_xen(variants[u]) || find(res[i].workload, res[i].op, variants[u]);
        if (everywhere) {
            logsum += log(res[i].median);
            n++;
        }
    }
    return n ? exp(logsum / n) : 0;
}

/* The Xen configuration named NAME's suffix ("xpti=dom0=false"), or NULL. */
static const char *xen_with(const char *suffix)
{
    for (size_t v = 0; v < nvariants; v++) {
        const char *c = strchr(variants[v], ':');
        if (is_xen(variants[v]) && c && !strcmp(c + 1, suffix))
            return variants[v];
    }
    return NULL;
}

/* Real Xen beside the model, on the ops Xen ran (the workloads as its
 * dom0): xen_compare.dat (ops.gp's layout: shared_l4, per_pcpu_l4, then
 * every Xen configuration) drawn as xen_compare, and xen_ratios.dat: per
 * op asilab's shared_l4 and per_pcpu_l4 against Xen with XPTI off and on
 * for dom0, their ratios and each one's isolation delta (per_pcpu_l4 -
 * shared_l4; XPTI on - off).  No Xen results: nothing written. */
static int plot_xen(const char *dir, const char *scripts)
{
    const char *cols[MAXV];
    size_t nc = 0;
    static const char *const model[] = { "shared_l4", "per_pcpu_l4" };
    for (size_t k = 0; k < 2; k++)
        for (size_t v = 0; v < nvariants; v++)
            if (!strcmp(variants[v], model[k]))
                cols[nc++] = variants[v];
    size_t nmodel = nc;
    for (size_t v = 0; v < nvariants; v++)
        if (is_xen(variants[v]))
            cols[nc++] = variants[v];
    if (nc == nmodel)
        return 0;
    char *dat = xasprintf("%s/xen_compare.dat", dir), *rat = xasprintf("%s/xen_ratios.dat", dir);
    FILE *f = fopen(dat, "w"), *g = fopen(rat, "w");
    if (!f || !g)
        return -1;
    const char *off = xen_with("xpti=dom0=false"), *on = xen_with("xpti=dom0=true");
    fprintf(f, "op");
    for (size_t c = 0; c < nc; c++)
        fprintf(f, " %s p10 p90", cols[c]);
    fputc('\n', f);
    fprintf(g, "op shared_l4 per_pcpu_l4 %s %s shared/xen_off per_pcpu/xen_on "
               "delta_asilab delta_xen\n", off ? off : "xen_off", on ? on : "xen_on");
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < nres; i++) {
        bool first = true, xen_ran = false;
        for (size_t j = 0; j < i && first; j++)
            first = strcmp(res[j].workload, res[i].workload) || strcmp(res[j].op, res[i].op);
        for (size_t c = nmodel; c < nc && !xen_ran; c++)
            xen_ran = find(res[i].workload, res[i].op, cols[c]) != NULL;
        if (!first || !xen_ran)
            continue;
        fprintf(f, "%s/%s", res[i].workload, res[i].op);
        for (size_t c = 0; c < nc; c++) {
            const struct res *r = find(res[i].workload, res[i].op, cols[c]);
            fprintf(f, " %g %g %g", r ? r->median : NAN, r ? r->p10 : NAN, r ? r->p90 : NAN);
            if (r && r->median > 0) {
                lo = r->median < lo ? r->median : lo;
                hi = r->median > hi ? r->median : hi;
            }
        }
        fputc('\n', f);
        const struct res *m[4] = { find(res[i].workload, res[i].op, "shared_l4"),
                                   find(res[i].workload, res[i].op, "per_pcpu_l4"),
                                   off ? find(res[i].workload, res[i].op, off) : NULL,
                                   on ? find(res[i].workload, res[i].op, on) : NULL };
        fprintf(g, "%s/%s", res[i].workload, res[i].op);
        for (int k = 0; k < 4; k++)
            fprintf(g, m[k] ? " %g" : " -", m[k] ? m[k]->median : 0);
        for (int k = 0; k < 2; k++)
            if (m[k] && m[k + 2] && m[k + 2]->median > 0)
                fprintf(g, " %.3f", m[k]->median / m[k + 2]->median);
            else
                fprintf(g, " -");
        for (int k = 0; k < 4; k += 2)
            fprintf(g, m[k] && m[k + 1] ? " %g" : " -",
                    m[k] && m[k + 1] ? m[k + 1]->median - m[k]->median : 0);
        fputc('\n', g);
    }
    fclose(f);
    fclose(g);
    char *out = xasprintf("%s/xen_compare", dir), *per_op = xasprintf("%s per op", unit);
    bool logy = hi > 1000 * lo;
    char *vars = plot_vars(dat, xasprintf("asilab beside Xen: %s per op, %s, %s mode, %s%s",
                                          unit, images, mode, host, logy ? " (log scale)" : ""),
                           NULL, per_op, "nv", (long)nc);
    var_int(&vars, "logy", logy);
    int rc = gnuplot_draw(scripts, "ops.gp", out, vars);
    free(vars); free(out); free(per_op); free(dat); free(rat);
    return rc;
}

struct point { const char *variant; double x, y; };

static int cmp_point(const void *a, const void *b)
{
    const struct point *p = a, *q = b;
    return p->x != q->x ? (p->x > q->x) - (p->x < q->x) : (p->y > q->y) - (p->y < q->y);
}

/* The Pareto front of pts (less exposure, less cost: neither beaten on
 * both by another point) into path, ordered by exposure. */
static void write_front(const char *path, const struct point *pts, size_t n)
{
    struct point front[MAXV];
    size_t nf = 0;
    for (size_t i = 0; i < n; i++) {
        bool beaten = false;
        for (size_t j = 0; j < n && !beaten; j++)
            beaten = pts[j].x <= pts[i].x && pts[j].y <= pts[i].y &&
                     (pts[j].x < pts[i].x || pts[j].y < pts[i].y);
        if (!beaten)
            front[nf++] = pts[i];
    }
    qsort(front, nf, sizeof *front, cmp_point);
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f, "foreign_kib geomean variant\n");
    for (size_t i = 0; i < nf; i++)
        fprintf(f, "%g %g %s\n", front[i].x, front[i].y, front[i].variant);
    fclose(f);
}

/* Cost vs exposure, one panel per mode (guest, hv): each variant's
 * geometric-mean cost over the ops every variant has against the
 * foreign KiB it maps in that mode, the Pareto front drawn. */
static int plot_exposure(const char *dir, const char *scripts)
{
    char *dat = xasprintf("%s/exposure.dat", dir);
    FILE *f = fopen(dat, "w");
    struct point pts[2][MAXV];
    size_t rows = 0;
    if (!f)
        return -1;
    fprintf(f, "variant guest_foreign_kib hv_foreign_kib geomean\n");
    for (size_t v = 0; v < nvariants; v++) {
        const struct expo *x = expo_of(variants[v]);
        double g = geomean(variants[v]);
        if (!x || !x->have[0] || !x->have[1] || g <= 0)
            continue;
        fprintf(f, "%s %g %g %g\n", variants[v], x->kib[0], x->kib[1], g);
        for (int m = 0; m < 2; m++)
            pts[m][rows] = (struct point){ variants[v], x->kib[m], g };
        rows++;
    }
    fclose(f);
    int rc = 0;
    if (rows) {
        char *front[2] = { xasprintf("%s/exposure_front_guest.dat", dir),
                           xasprintf("%s/exposure_front_hv.dat", dir) };
        for (int m = 0; m < 2; m++)
            write_front(front[m], pts[m], rows);
        char *out = xasprintf("%s/cost_vs_exposure", dir);
        char *ylabel = xasprintf("geometric mean %s per op", unit);
        char *vars = plot_vars(dat, xasprintf("cost vs exposure (%s, %s, %s mode, %s)", unit,
                                              images, mode, host), NULL, ylabel, NULL, 0);
        var_str(&vars, "front_guest", front[0]);
        var_str(&vars, "front_hv", front[1]);
        free(ylabel);
        rc = gnuplot_draw(scripts, "exposure.gp", out, vars);
        free(vars); free(out);
        free(front[0]); free(front[1]);
    }
    free(dat);
    return rc;
}

/* A series: ops named prefix<N> (and `base` for N = base_n). */
static int plot_series(const char *dir, const char *scripts, const char *name,
                       const char *w, const char *prefix, const char *base, int base_n,
                       const char *xlabel)
{
    double x[64];
    size_t nx = 0;
    for (size_t i = 0; i < nres; i++) {
        if (strcmp(res[i].workload, w))
            continue;
        const char *op = res[i].op;
        double v = NAN;
        if (base && !strcmp(op, base))
            v = base_n;
        else if (!strncmp(op, prefix, strlen(prefix)))
            v = atof(op + strlen(prefix));
        if (isnan(v) || v <= 0)
            continue;
        size_t j = 0;
        while (j < nx && x[j] != v)
            j++;
        if (j == nx && nx < 64)
            x[nx++] = v;
    }
    if (nx < 2)
        return 0;
    for (size_t i = 1; i < nx; i++)                    /* sort x */
        for (size_t j = i; j > 0 && x[j - 1] > x[j]; j--) {
            double t = x[j]; x[j] = x[j - 1]; x[j - 1] = t;
        }
    char *dat = xasprintf("%s/scaling_%s.dat", dir, name);
    FILE *f = fopen(dat, "w");
    if (!f)
        return -1;
    fprintf(f, "x");
    for (size_t v = 0; v < nvariants; v++)
        fprintf(f, " %s", variants[v]);
    fputc('\n', f);
    for (size_t i = 0; i < nx; i++) {
        char op[64];
        if (base && x[i] == base_n)
            snprintf(op, sizeof(op), "%s", base);
        else
            snprintf(op, sizeof(op), "%s%g", prefix, x[i]);
        fprintf(f, "%g", x[i]);
        for (size_t v = 0; v < nvariants; v++) {
            const struct res *r = find(w, op, variants[v]);
            fprintf(f, " %g", r ? r->median : NAN);
        }
        fputc('\n', f);
    }
    fclose(f);
    char *out = xasprintf("%s/scaling_%s", dir, name);
    char *per_op = xasprintf("%s per op", unit);
    char *vars = plot_vars(dat, xasprintf("%s (%s, %s, %s mode, %s)", name, unit, images, mode, host),
                           xlabel, per_op, "nv", (long)nvariants);
    int rc = gnuplot_draw(scripts, "scaling.gp", out, vars);
    free(vars); free(out); free(dat); free(per_op);
    return rc;
}

int cmd_plot(const char *dir_arg, const char *scripts)
{
    /* absolute: a path gnuplot is given never starts with '<' or '|' */
    char *dir = realpath(dir_arg, NULL);
    char *records = xasprintf("%s/records.jsonl", dir ? dir : dir_arg);
    if (!dir || load(records) != 0) {
        if (!dir)
            fprintf(stderr, "asilab: cannot read %s: %s\n", records, strerror(errno));
        return 2;
    }
    free(records);
    print_skipped();
    if (!nres) {
        fprintf(stderr, "asilab: %s/records.jsonl has no valid result records to plot\n", dir);
        return 1;
    }
    if (!gnuplot_find())
        return 2;
    char *pdir = xasprintf("%s/plots", dir);
    if (mkdir_p(pdir) != 0) {
        fprintf(stderr, "asilab: cannot create %s: %s\n", pdir, strerror(errno));
        return 2;
    }
    const char *ws[64];
    size_t nw = distinct(ws, 64, NULL);
    int rc = 0;
    for (size_t i = 0; i < nw; i++)
        rc |= plot_workload(pdir, scripts, ws[i]);
    rc |= plot_exposure(pdir, scripts);
    write_deltas(pdir);
    rc |= plot_xen(pdir, scripts);
    rc |= plot_series(pdir, scripts, "ctxsw_vcpus", "ctxsw", "yield_cross_domain_x",
                      "yield_cross_domain", 2, "vCPUs sharing the pCPU");
    rc |= plot_series(pdir, scripts, "flush_targets", "flush", "flush_remote_", NULL, 0,
                      "remote pCPUs flushed");
    rc |= plot_series(pdir, scripts, "refill_pages", "flush", "tlb_flush_local_touch_", NULL, 0,
                      "pages touched after a local flush");
    printf("plots: %s (%zu workloads, %zu variants, %s mode)\n", pdir, nw, nvariants, mode);
    free(pdir);
    free(dir);
    return rc ? 1 : 0;
}
