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

void results_pair(json_t *const *recs, size_t n, long *partner)
{
    char **key = xmalloc((n ? n : 1) * sizeof *key);
    size_t *nth = xmalloc((n ? n : 1) * sizeof *nth);
    for (size_t i = 0; i < n; i++) {
        key[i] = pair_key(recs[i]);
        partner[i] = -1;
        nth[i] = 0;          /* how many of the same key and image before it */
        for (size_t j = 0; key[i] && j < i; j++)
            nth[i] += key[j] && result_lean(recs[j]) == result_lean(recs[i]) &&
                      strcmp(key[j], key[i]) == 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!key[i] || !result_lean(recs[i]))
            continue;
        for (size_t j = 0; j < n && partner[i] < 0; j++)
            if (key[j] && !result_lean(recs[j]) && partner[j] < 0 && nth[j] == nth[i] &&
                strcmp(key[j], key[i]) == 0) {
                partner[i] = (long)j;
                partner[j] = (long)i;
            }
    }
    for (size_t i = 0; i < n; i++)
        free(key[i]);
    free(key);
    free(nth);
}
