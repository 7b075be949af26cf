/* accept.c — which records of a records.jsonl count, for results.json
 * and the plots alike (one rule, so they never disagree), and the safe
 * names record strings must be before they reach a file name, a plot or
 * a benchmark name.  records.jsonl may have been edited since the runner
 * validated it: everything used is checked again here. */
#include <stdlib.h>
#include <string.h>

#include "asilab.h"

const char *const accept_what[NACCEPT] = {
    [ACCEPT_BOOT] = "from boots that did not pass",
    [ACCEPT_INVALID] = "invalid (timing or record)",
    [ACCEPT_NAMES] = "with names that are not safe",
};

/* ^[a-z0-9_]{1,ASILAB_NAME_MAX}$: a workload or op name. */
bool name_ok(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= ASILAB_NAME_MAX &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* A variant: names joined by '+' (per_vcpu_l4+stackzero), at most
 * ASILAB_NAME_MAX characters in all. */
bool variant_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > ASILAB_NAME_MAX || s[0] == '+' || s[n - 1] == '+' || strstr(s, "++"))
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_+") == n ||
           xen_variant_name_ok(s);      /* a Xen configuration (xen.c) */
}

static const char *str_of(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));   /* NULL unless a string */
}

static bool one_of(const char *s, const char *a, const char *b)
{
    return strcmp(s, a) == 0 || strcmp(s, b) == 0;
}

/* The members a result or exposure record is used by: present (else
 * invalid) and safe (else names). */
static enum accept check_members(json_t *rec, const char *type)
{
    const char *var = str_of(rec, "variant");
    const char *mode = str_of(json_object_get(rec, "provenance"), "mode");
    if (strcmp(type, "exposure") == 0) {
        const char *space = str_of(rec, "space");
        if (!var || !space || !json_is_object(json_object_get(rec, "bytes")))
            return ACCEPT_INVALID;
        return variant_name_ok(var) && one_of(space, "guest", "hv") &&
               (!mode || one_of(mode, "deterministic", "timing"))
                   ? ACCEPT_OK : ACCEPT_NAMES;
    }
    const char *w = str_of(rec, "workload"), *op = str_of(rec, "op");
    const char *unit = str_of(rec, "unit");
    /* Events: a counting image's (a lean image has none: costs only). */
    const char *image = str_of(rec, "image");
    bool lean = image && (strcmp(image, "lean") == 0 || strcmp(image, "xen") == 0);
    if (!w || !op || !var || !unit ||
        (!lean && !json_is_object(json_object_get(rec, "events"))))
        return ACCEPT_INVALID;
    return name_ok(w) && name_ok(op) && variant_name_ok(var) &&
           one_of(unit, "insns", "tsc_ticks") &&
           (!mode || one_of(mode, "deterministic", "timing"))
               ? ACCEPT_OK : ACCEPT_NAMES;
}

/* Whether a result or exposure record read back from records.jsonl is
 * used: its boot passed, it carries no record_error and no "valid":
 * false, and the members that are used are there and safe. */
enum accept record_accept(json_t *rec)
{
    json_t *prov = json_object_get(rec, "provenance");
    const char *status = str_of(prov, "boot_status");
    const char *type = str_of(rec, "type");
    if (!status || strcmp(status, "pass") != 0)
        return ACCEPT_BOOT;
    if (!type || json_is_false(json_object_get(rec, "valid")) ||
        json_object_get(prov, "record_error"))
        return ACCEPT_INVALID;
    return check_members(rec, type);
}

/* "2 from boots that did not pass, 1 invalid ..." of the nonzero counts
 * (what[k] names counts[k]); "" if none. */
char *accept_counts(const size_t *counts, const char *const *what, size_t n)
{
    struct strlist l = { 0 };
    for (size_t k = 0; k < n; k++) {
        if (!counts[k] || !what[k])
            continue;
        char *s = xasprintf("%zu %s", counts[k], what[k]);
        strlist_push(&l, s);
        free(s);
    }
    char *j = strlist_join(&l, ", ");
    strlist_free(&l);
    return j;
}
