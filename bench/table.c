/* table.c — the human-readable table printed after a run: one row per
 * result record with its cost and the events that explain it. */
#include <stdlib.h>
#include <string.h>

#include "asilab.h"

static const char *const header[] = {
    "variant", "workload", "op", "unit", "min", "median", "max",
    "cr3_load", "tlb_flush", "invlpg", "ctx_switch", "gdt_load", "note",
};
#define NCOL (sizeof header / sizeof *header)
#define FIRST_NUM 4   /* columns from here on are right-aligned numbers */

struct table {
    char *(*rows)[NCOL];
    size_t n, cap;
};

struct table *table_new(void)
{
    struct table *t = xmalloc(sizeof *t);
    memset(t, 0, sizeof *t);
    return t;
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

/* result: a validated result record; note: "" or why to distrust it. */
void table_add(struct table *t, json_t *result, const char *note)
{
    json_t *ev = json_object_get(result, "events");
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->rows = xrealloc(t->rows, t->cap * sizeof *t->rows);
    }
    char **r = t->rows[t->n++];
    r[0] = str(result, "variant");
    r[1] = str(result, "workload");
    r[2] = str(result, "op");
    r[3] = str(result, "unit");
    r[4] = num(result, "min");
    r[5] = num(result, "median");
    r[6] = num(result, "max");
    for (size_t c = 7; c < NCOL - 1; c++)
        r[c] = num(ev, header[c]);
    r[NCOL - 1] = xstrdup(note);
}

void table_print(const struct table *t, FILE *f)
{
    size_t w[NCOL];
    if (t->n == 0) {
        fputs("(no result records)\n", f);
        return;
    }
    for (size_t c = 0; c < NCOL; c++) {
        w[c] = strlen(header[c]);
        for (size_t i = 0; i < t->n; i++)
            if (strlen(t->rows[i][c]) > w[c])
                w[c] = strlen(t->rows[i][c]);
    }
    for (size_t i = 0; i <= t->n; i++) {
        const char *const *r = i ? (const char *const *)t->rows[i - 1] : header;
        char line[4096];
        size_t k = 0;
        for (size_t c = 0; c < NCOL && k < sizeof line; c++) {
            bool right = c >= FIRST_NUM && c < NCOL - 1;
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
}

void table_free(struct table *t)
{
    for (size_t i = 0; i < t->n; i++)
        for (size_t c = 0; c < NCOL; c++)
            free(t->rows[i][c]);
    free(t->rows);
    free(t);
}
