/* table.c — the human-readable tables printed after a run: one row per
 * result record with its cost and the events that explain it (a lean
 * image's result paired with the counting image's of a boot that ended
 * alike, pair.c: one row, the lean cost, the counting median as
 * "counted" and the counting events);
 * then, if any arrived, the exposure of each (variant, address space)
 * and the probe observations. */
#include <stdlib.h>
#include <string.h>

#include "asilab.h"

/* An aligned text grid: header, rows of owned strings; columns
 * [right_from, right_to) are right-aligned numbers. */
struct grid {
    const char *const *head;
    size_t ncol, right_from, right_to;
    char **cells;                  /* n rows of ncol cells, row-major */
    size_t n, cap;
};

static const char *const res_head[] = {
    "variant", "workload", "op", "unit", "image", "min", "median", "max", "counted",
    "cr3_load", "tlb_flush", "invlpg", "ctx_switch", "gdt_load", "note",
};
#define RES_NCOL (sizeof res_head / sizeof *res_head)
#define RES_EVENTS 9                  /* the first event column */

/* The byte classes of an exposure record, in column order (a record
 * from before a class existed counts 0 of it); other_domain,
 * other_pcpu_stack, other_vcpu_window and other_domain_shared are
 * foreign to the space's owner (summed in via_directmap); mapcache is
 * what the running vCPU's mapcache maps (+sparse), whoever owns it. */
static const char *const exp_class[] = {
    "own_domain", "other_domain", "hv_private", "this_pcpu_stack",
    "other_pcpu_stack", "other_vcpu_window", "other_domain_shared", "mapcache",
};
#define NCLASS (sizeof exp_class / sizeof *exp_class)
static const char *const exp_head[] = {
    "variant", "space", "own_domain", "other_domain", "hv_private",
    "this_pcpu_stack", "other_pcpu_stack", "other_vcpu_window",
    "other_domain_shared", "mapcache", "via_directmap",
};
#define EXP_NCOL (sizeof exp_head / sizeof *exp_head)

static const char *const probe_head[] = {
    "variant", "workload", "op", "found", "stack_zero",
};
#define PROBE_NCOL (sizeof probe_head / sizeof *probe_head)

/* One exposure row, printed in KiB (bytes / 1024, rounded down); its
 * via_directmap column sums the directmap part of the four foreign
 * classes.  Each value is the largest over the records of its
 * (variant, space): several spaces of one kind show the worst one. */
struct exposure {
    char *variant, *space;
    long long bytes[NCLASS];
    long long via_foreign;         /* via_directmap of the foreign classes */
};

struct table {
    json_t **rows;                 /* result records, in boot order */
    char **notes;                  /* each one's note */
    size_t nrow, caprow;
    struct grid res, probe;
    struct exposure *exp;
    size_t nexp, capexp;
};

struct table *table_new(void)
{
    struct table *t = xmalloc(sizeof *t);
    memset(t, 0, sizeof *t);
    t->res = (struct grid){ res_head, RES_NCOL, 5, RES_NCOL - 1, NULL, 0, 0 };
    t->probe = (struct grid){ probe_head, PROBE_NCOL, 3, 4, NULL, 0, 0 };
    return t;
}

static char **grid_row(struct grid *g)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 16;
        g->cells = xrealloc(g->cells, g->cap * g->ncol * sizeof *g->cells);
    }
    return g->cells + g->n++ * g->ncol;
}

static void grid_print(const struct grid *g, FILE *f)
{
    size_t *w = xmalloc(g->ncol * sizeof *w);
    for (size_t c = 0; c < g->ncol; c++) {
        w[c] = strlen(g->head[c]);
        for (size_t i = 0; i < g->n; i++)
            if (strlen(g->cells[i * g->ncol + c]) > w[c])
                w[c] = strlen(g->cells[i * g->ncol + c]);
    }
    for (size_t i = 0; i <= g->n; i++) {
        const char *const *r = i ? (const char *const *)g->cells + (i - 1) * g->ncol
                                 : g->head;
        char line[4096];
        size_t k = 0;
        for (size_t c = 0; c < g->ncol && k < sizeof line; c++) {
            bool right = c >= g->right_from && c < g->right_to;
            int n = snprintf(line + k, sizeof line - k, "%s%*s%s", c ? "  " : "",
                             right ? (int)w[c] : -(int)w[c], r[c], "");
            k += n > 0 ? (size_t)n : 0;
        }
        if (k >= sizeof line)
            k = sizeof line - 1;
        while (k && line[k - 1] == ' ')
            line[--k] = '\0';
        fprintf(f, "%s\n", line);
    }
    free(w);
}

static void grid_free(struct grid *g)
{
    for (size_t i = 0; i < g->n * g->ncol; i++)
        free(g->cells[i]);
    free(g->cells);
}

static char *num(json_t *o, const char *k)
{
    char buf[64];
    json_t *v = json_object_get(o, k);
    return xstrdup(json_is_number(v) ? fmt_num(json_number_value(v), buf, sizeof buf) : "-");
}

static char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return xstrdup(s ? s : "-");
}

/* result: a validated result record, prov: its boot's provenance; note:
 * "" or why to distrust it.  Its row is made when the table is printed
 * (when its partner, if any, is known). */
void table_add(struct table *t, json_t *result, json_t *prov, const char *note)
{
    if (t->nrow == t->caprow) {
        t->caprow = t->caprow ? 2 * t->caprow : 32;
        t->rows = xrealloc(t->rows, t->caprow * sizeof *t->rows);
        t->notes = xrealloc(t->notes, t->caprow * sizeof *t->notes);
    }
    t->rows[t->nrow] = json_copy(result);
    json_object_set(t->rows[t->nrow], "provenance", prov);
    t->notes[t->nrow++] = xstrdup(note);
}

/* The row of result (cost, image) with the events of counted (result
 * itself, or its counting partner). */
static void res_row(struct table *t, json_t *result, json_t *counted, const char *note)
{
    json_t *ev = json_object_get(counted, "events");
    char **r = grid_row(&t->res);
    r[0] = str(result, "variant");
    r[1] = str(result, "workload");
    r[2] = str(result, "op");
    r[3] = str(result, "unit");
    r[4] = xstrdup(result_xen(result) ? "xen" : result_lean(result) ? "lean" : "counting");
    r[5] = num(result, "min");
    r[6] = num(result, "median");
    r[7] = num(result, "max");
    r[8] = counted != result ? num(counted, "median") : xstrdup("-");
    for (size_t c = RES_EVENTS; c < RES_NCOL - 1; c++)
        r[c] = num(ev, res_head[c]);
    /* A +pcid image that ran untagged says so on its row. */
    const char *pcid = json_string_value(
        json_object_get(json_object_get(result, "provenance"), "pcid"));
    if (pcid && strcmp(pcid, "unavailable") == 0)
        r[RES_NCOL - 1] = *note ? xasprintf("%s; pcid unavailable", note)
                                : xstrdup("pcid unavailable");
    else
        r[RES_NCOL - 1] = xstrdup(note);
}

static void make_res_rows(struct table *t)
{
    long *partner = xmalloc((t->nrow ? t->nrow : 1) * sizeof *partner);
    results_pair(t->rows, t->nrow, partner);
    for (size_t i = 0; i < t->nrow; i++)    /* as results.json: a pair of like boots */
        if (partner[i] >= 0 && strcmp(t->notes[i], t->notes[partner[i]]) != 0)
            partner[partner[i]] = -1, partner[i] = -1;
    for (size_t i = 0; i < t->nrow; i++) {
        long p = partner[i];
        if (p >= 0 && !result_lean(t->rows[i]))
            continue;                  /* in its lean partner's row */
        res_row(t, t->rows[i], p >= 0 ? t->rows[p] : t->rows[i], t->notes[i]);
    }
    free(partner);
}

static void add_probe(struct table *t, json_t *p)
{
    char **r = grid_row(&t->probe);
    r[0] = str(p, "variant");
    r[1] = str(p, "workload");
    r[2] = str(p, "op");
    r[3] = num(p, "found");
    r[4] = xstrdup(json_is_true(json_object_get(p, "stack_zero")) ? "true" : "false");
}

static long long int_of(json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));   /* 0 if absent */
}

static void add_exposure(struct table *t, json_t *e)
{
    const char *variant = json_string_value(json_object_get(e, "variant"));
    const char *space = json_string_value(json_object_get(e, "space"));
    json_t *bytes = json_object_get(e, "bytes");
    json_t *via = json_object_get(e, "via_directmap");
    struct exposure *x = NULL;
    variant = variant ? variant : "-";
    space = space ? space : "-";
    for (size_t i = 0; i < t->nexp && !x; i++)
        if (strcmp(t->exp[i].variant, variant) == 0 && strcmp(t->exp[i].space, space) == 0)
            x = &t->exp[i];
    if (!x) {
        if (t->nexp == t->capexp) {
            t->capexp = t->capexp ? 2 * t->capexp : 8;
            t->exp = xrealloc(t->exp, t->capexp * sizeof *t->exp);
        }
        x = &t->exp[t->nexp++];
        memset(x, 0, sizeof *x);
        x->variant = xstrdup(variant);
        x->space = xstrdup(space);
    }
    for (size_t c = 0; c < NCLASS; c++)
        if (int_of(bytes, exp_class[c]) > x->bytes[c])
            x->bytes[c] = int_of(bytes, exp_class[c]);
    long long foreign = int_of(via, "other_domain") + int_of(via, "other_pcpu_stack") +
                        int_of(via, "other_vcpu_window") + int_of(via, "other_domain_shared");
    if (foreign > x->via_foreign)
        x->via_foreign = foreign;
}

/* rec: a validated record; exposure and probe records go into their
 * tables, other types are ignored. */
void table_add_record(struct table *t, json_t *rec)
{
    const char *type = json_string_value(json_object_get(rec, "type"));
    if (type && strcmp(type, "exposure") == 0)
        add_exposure(t, rec);
    else if (type && strcmp(type, "probe") == 0)
        add_probe(t, rec);
}

/* Blank line, then header line and rows. */
static void print_exposure(const struct table *t, FILE *f)
{
    struct grid g = { exp_head, EXP_NCOL, 2, EXP_NCOL, NULL, 0, 0 };
    for (size_t i = 0; i < t->nexp; i++) {
        const struct exposure *x = &t->exp[i];
        char **r = grid_row(&g);
        r[0] = xstrdup(x->variant);
        r[1] = xstrdup(x->space);
        for (size_t c = 0; c < NCLASS; c++)
            r[2 + c] = xasprintf("%lld", x->bytes[c] / 1024);
        r[EXP_NCOL - 1] = xasprintf("%lld", x->via_foreign / 1024);
    }
    fputc('\n', f);
    grid_print(&g, f);
    grid_free(&g);
}

void table_print(struct table *t, FILE *f)
{
    if (t->res.n == 0)
        make_res_rows(t);
    if (t->res.n == 0)
        fputs("(no result records)\n", f);
    else
        grid_print(&t->res, f);
    if (t->nexp)
        print_exposure(t, f);
    if (t->probe.n) {
        fputc('\n', f);
        grid_print(&t->probe, f);
    }
}

void table_free(struct table *t)
{
    for (size_t i = 0; i < t->nrow; i++) {
        json_decref(t->rows[i]);
        free(t->notes[i]);
    }
    free(t->rows);
    free(t->notes);
    grid_free(&t->res);
    grid_free(&t->probe);
    for (size_t i = 0; i < t->nexp; i++) {
        free(t->exp[i].variant);
        free(t->exp[i].space);
    }
    free(t->exp);
    free(t);
}
