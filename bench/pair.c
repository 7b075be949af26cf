/* pair.c — a run's lean and counting results side by side.  With
 * --image paired every boot runs twice, on the lean image (costs without
 * the lab's counters) and on the counting image (events); a lean result
 * and a counting result are one pair when they come from the same boot
 * (rep, variant, workload, modules with their arguments) and op, the
 * k-th lean with the k-th counting one.  Costs come from the lean one,
 * events from the counting one (results.json, the tables, the plots). */
#include <stdlib.h>
#include <string.h>

#include "asilab.h"

bool result_lean(json_t *rec)
{
    const char *image = json_string_value(json_object_get(rec, "image"));
    return image && strcmp(image, "lean") == 0;
}

bool result_xen(json_t *rec)
{
    const char *image = json_string_value(json_object_get(rec, "image"));
    return image && strcmp(image, "xen") == 0;
}

/* What the pair has in common, as text; NULL if a member is missing. */
static char *pair_key(json_t *rec)
{
    json_t *prov = json_object_get(rec, "provenance");
    json_t *k = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?}",
                          "rep", json_object_get(prov, "rep"),
                          "variant", json_object_get(rec, "variant"),
                          "workload", json_object_get(rec, "workload"),
                          "boot", json_object_get(prov, "boot"),
                          "op", json_object_get(rec, "op"));
    char *s = k ? json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(k);
    return s;
}

struct keyed { const char *key; size_t i; bool lean; };

static int by_key(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

/* Sorted by key (then by position), each key's k-th lean result pairs
 * with its k-th counting one: n log n, for the large sets ingest reads. */
void results_pair(json_t *const *recs, size_t n, long *partner)
{
    char **key = xmalloc((n ? n : 1) * sizeof *key);
    struct keyed *k = xmalloc((n ? n : 1) * sizeof *k);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        key[i] = pair_key(recs[i]);
        partner[i] = -1;
        if (key[i])
            k[m++] = (struct keyed){ key[i], i, result_lean(recs[i]) };
    }
    qsort(k, m, sizeof *k, by_key);
    for (size_t g = 0; g < m;) {
        size_t e = g;
        while (e < m && strcmp(k[e].key, k[g].key) == 0)
            e++;
        size_t l = g, c = g;          /* the next lean and counting of the group */
        for (;;) {
            while (l < e && !k[l].lean)
                l++;
            while (c < e && k[c].lean)
                c++;
            if (l == e || c == e)
                break;
            partner[k[l].i] = (long)k[c].i;
            partner[k[c].i] = (long)k[l].i;
            l++;
            c++;
        }
        g = e;
    }
    for (size_t i = 0; i < n; i++)
        free(key[i]);
    free(key);
    free(k);
}
