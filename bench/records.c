/* records.c — validation of one @asilab record (DESIGN.md §3) against
 * what was booted: variant, mode, unit and workload; op names are safe
 * names (name_ok), statistics finite, ordered and >= 0.  Every string a
 * guest sends is data: those that may reach a file name or a plot are
 * held to the catalog or to name_ok here. */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "asilab.h"

/* Event names every result record must carry (per-op averages). */
static const char *const required_events[] = {
    "cr3_load", "tlb_flush", "invlpg", "ipi_sent", "l4_copy",
    "stack_zero_bytes", "gdt_load", "ldt_load", "ctx_switch",
};
/* Where "events" is the caller's pCPU, "remote_events" (optional) sums
 * the other pCPUs, with the same names. */
static const char *const exposure_bytes[] = {
    "own_domain", "other_domain", "hv_private", "this_pcpu_stack",
    "other_pcpu_stack", "other_vcpu_window",
};

struct vctx {
    json_t *rec;
    const char *type;
    char *why;
    size_t n;
};

static bool bad(struct vctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static bool bad(struct vctx *c, const char *fmt, ...)
{
    va_list ap;
    int k = snprintf(c->why, c->n, "%s record: ", c->type);
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < c->n)
        vsnprintf(c->why + k, c->n - (size_t)k, fmt, ap);
    va_end(ap);
    return false;
}

static bool get_str(struct vctx *c, const char *k, const char **v)
{
    json_t *j = json_object_get(c->rec, k);
    if (!json_is_string(j))
        return bad(c, j ? "'%s' is not a string" : "missing '%s'", k);
    *v = json_string_value(j);
    return true;
}

static bool want_str(struct vctx *c, const char *k, const char *want)
{
    const char *v;
    if (!get_str(c, k, &v))
        return false;
    if (strcmp(v, want) != 0)
        return bad(c, "'%s' is \"%.80s\", expected \"%s\"", k, v, want);
    return true;
}

static bool get_int(struct vctx *c, json_t *o, const char *k, json_int_t min,
                    json_int_t *v)
{
    json_t *j = json_object_get(o, k);
    if (!json_is_integer(j))
        return bad(c, j ? "'%s' is not an integer" : "missing '%s'", k);
    *v = json_integer_value(j);
    if (*v < min)
        return bad(c, "'%s' is %lld, must be >= %lld", k, (long long)*v,
                   (long long)min);
    return true;
}

/* A finite number >= 0 (a cost, a count, a size). */
static bool get_num(struct vctx *c, json_t *o, const char *k, double *v)
{
    json_t *j = json_object_get(o, k);
    if (!json_is_number(j))
        return bad(c, j ? "'%s' is not a number" : "missing '%s'", k);
    *v = json_number_value(j);
    if (!isfinite(*v))
        return bad(c, "'%s' is not finite", k);
    if (*v < 0)
        return bad(c, "'%s' is %g, must be >= 0", k, *v);
    return true;
}

/* An op name: a safe name (it becomes a plot label and a benchmark name). */
static bool get_op(struct vctx *c)
{
    const char *op;
    if (!get_str(c, "op", &op))
        return false;
    if (!name_ok(op))
        return bad(c, "'op' \"%.80s\" is not a name ([a-z0-9_], 1..%d characters)",
                   op, ASILAB_NAME_MAX);
    return true;
}

/* Object of numbers >= 0 holding at least the names in req. */
static bool counts(struct vctx *c, const char *k, const char *const *req,
                   size_t nreq, bool ints)
{
    json_t *o = json_object_get(c->rec, k), *v;
    const char *name;
    if (!json_is_object(o))
        return bad(c, o ? "'%s' is not an object" : "missing '%s'", k);
    for (size_t i = 0; i < nreq; i++)
        if (!json_object_get(o, req[i]))
            return bad(c, "%s missing '%s'", k, req[i]);
    json_object_foreach(o, name, v) {
        if (ints ? !json_is_integer(v) : !json_is_number(v))
            return bad(c, "%s.%s is not %s", k, name, ints ? "an integer" : "a number");
        if (!(json_number_value(v) >= 0) || !isfinite(json_number_value(v)))
            return bad(c, "%s.%s is %g, must be >= 0", k, name, json_number_value(v));
    }
    return true;
}

/* "values", if present: one finite number >= 0 per sample. */
static bool check_values(struct vctx *c, json_int_t samples)
{
    json_t *vals = json_object_get(c->rec, "values"), *v;
    size_t i;
    if (!vals)
        return true;
    if (!json_is_array(vals))
        return bad(c, "'values' is not an array");
    if ((json_int_t)json_array_size(vals) != samples)
        return bad(c, "'values' has %zu entries, 'samples' is %lld",
                   json_array_size(vals), (long long)samples);
    json_array_foreach(vals, i, v) {
        if (!json_is_number(v))
            return bad(c, "values[%zu] is not a number", i);
        if (!isfinite(json_number_value(v)) || json_number_value(v) < 0)
            return bad(c, "values[%zu] is %g, must be >= 0", i, json_number_value(v));
    }
    return true;
}

/* ops, samples, the ordered statistics (p10/p90 optional if !full), all
 * >= 0, the optional overhead and the per-sample values. */
static bool stats(struct vctx *c, bool full)
{
    static const char *const names[] = { "min", "p10", "median", "p90", "max" };
    json_int_t i, samples;
    double prev = 0, v;
    const char *prev_name = NULL;
    if (!get_int(c, c->rec, "ops", 1, &i) || !get_int(c, c->rec, "samples", 1, &samples))
        return false;
    if (json_object_get(c->rec, "overhead") && !get_num(c, c->rec, "overhead", &v))
        return false;
    for (size_t k = 0; k < 5; k++) {
        if (!full && k % 2 && !json_object_get(c->rec, names[k]))
            continue;
        if (!get_num(c, c->rec, names[k], &v))
            return false;
        if (prev_name && prev > v)
            return bad(c, "%s > %s (%g > %g)", prev_name, names[k], prev, v);
        prev = v;
        prev_name = names[k];
    }
    return check_values(c, samples);
}

static bool check_workload(struct vctx *c, const struct expect *e, bool required)
{
    json_t *j = json_object_get(c->rec, "workload");
    const char *w;
    if (!j && !required)
        return true;
    if (!get_str(c, "workload", &w))
        return false;
    for (size_t i = 0; e->workloads[i]; i++)
        if (strcmp(w, e->workloads[i]) == 0)
            return true;
    return bad(c, "'workload' is \"%.80s\", expected \"%s\"", w, e->workloads[0]);
}

/* Every key of object k (if there) a safe name: Xen's counter names
 * reach results.json's counters. */
static bool safe_keys(struct vctx *c, const char *k)
{
    json_t *o = json_object_get(c->rec, k), *v;
    const char *name;
    json_object_foreach(o, name, v)
        if (!name_ok(name))
            return bad(c, "%s has a key that is not a safe name", k);
    return true;
}

/* A Xen boot's events: none (Xen without perf counters), or those its
 * perf counters count ("events_source":"xen_perfc", workloads/lib/
 * xen_perfc.h: a subset of the lab's events) and every counter the op
 * moved under Xen's own name ("xen_perfc"). */
static bool check_xen_events(struct vctx *c)
{
    bool ev = json_object_get(c->rec, "events") != NULL;
    if (!ev)
        return json_object_get(c->rec, "remote_events") || json_object_get(c->rec, "xen_perfc")
                   ? bad(c, "Xen counters without 'events'") : true;
    return want_str(c, "events_source", "xen_perfc") &&
           counts(c, "events", NULL, 0, false) && safe_keys(c, "events") &&
           (!json_object_get(c->rec, "remote_events") ||
            (counts(c, "remote_events", NULL, 0, false) && safe_keys(c, "remote_events"))) &&
           (!json_object_get(c->rec, "xen_perfc") ||
            (counts(c, "xen_perfc", NULL, 0, false) && safe_keys(c, "xen_perfc")));
}

static bool check_result(struct vctx *c, const struct expect *e)
{
    if (!check_workload(c, e, true) || !get_op(c) ||
        !want_str(c, "variant", e->variant) || !want_str(c, "mode", e->mode) ||
        !want_str(c, "unit", e->unit) || !stats(c, true))
        return false;
    /* A lean image (no counters) says so and has no events; a counting
     * one, if it names itself, says "counting". */
    if (e->xen)                 /* no lab hypercall: Xen's perf counters, if any */
        return want_str(c, "image", "xen") && check_xen_events(c);
    if (e->lean)
        return want_str(c, "image", "lean") &&
               (json_object_get(c->rec, "events") ? bad(c, "a lean image has no events")
                                                  : true);
    if (json_object_get(c->rec, "image") && !want_str(c, "image", "counting"))
        return false;
    return counts(c, "events", required_events,
                  sizeof required_events / sizeof *required_events, false) &&
           (!json_object_get(c->rec, "remote_events") ||
            counts(c, "remote_events", NULL, 0, false));
}

static bool check_calibration(struct vctx *c, const struct expect *e)
{
    return get_op(c) && want_str(c, "variant", e->variant) &&
           want_str(c, "mode", e->mode) && want_str(c, "unit", e->unit) &&
           stats(c, false);
}

static bool check_exposure(struct vctx *c, const struct expect *e)
{
    const char *space;
    if (!want_str(c, "variant", e->variant) || !get_str(c, "space", &space))
        return false;
    if (strcmp(space, "guest") != 0 && strcmp(space, "hv") != 0)
        return bad(c, "'space' is \"%s\", expected \"guest\" or \"hv\"", space);
    return counts(c, "bytes", exposure_bytes,
                  sizeof exposure_bytes / sizeof *exposure_bytes, true);
}

static bool check_robustness(struct vctx *c)
{
    json_int_t v;
    json_t *s = json_object_get(c->rec, "survived");
    if (!get_int(c, c->rec, "calls", 0, &v) ||
        !get_int(c, c->rec, "invariant_failures", 0, &v) ||
        !counts(c, "errors", NULL, 0, true))
        return false;
    if (!json_is_boolean(s))
        return bad(c, s ? "'survived' is not a boolean" : "missing 'survived'");
    return true;
}

/* A probe: a yes/no observation the hv made (e.g. the stack-leak probe). */
static bool check_probe(struct vctx *c, const struct expect *e)
{
    json_int_t v;
    json_t *z = json_object_get(c->rec, "stack_zero");
    if (!check_workload(c, e, true) || !get_op(c) ||
        !want_str(c, "variant", e->variant) || !want_str(c, "mode", e->mode) ||
        !get_int(c, c->rec, "found", 0, &v))
        return false;
    if (!json_is_boolean(z))
        return bad(c, z ? "'stack_zero' is not a boolean" : "missing 'stack_zero'");
    return true;
}

/* Whether variant has flavour f ("+f" as a whole component). */
static bool has_flavour(const char *variant, const char *f)
{
    size_t n = strlen(f);
    for (const char *p = strchr(variant, '+'); p; p = strchr(p + 1, '+'))
        if (strncmp(p + 1, f, n) == 0 && (p[1 + n] == '+' || p[1 + n] == '\0'))
            return true;
    return false;
}

/* What the hv runs on (hv/lab/platform.c): the hypervisor it sees, the
 * CPL at which SYSCALL arrived, and the TLB's tagging: "pcid" is "off"
 * unless the variant is a +pcid one, which says "on" or "unavailable". */
static bool check_platform(struct vctx *c, const struct expect *e)
{
    static const char *const hvs[] = { "none", "kvm", "xen", "hyperv", "vmware",
                                       "tcg", "unknown" };
    const char *h, *pcid;
    json_int_t cpl;
    if (!want_str(c, "workload", "hv") || !want_str(c, "variant", e->variant) ||
        !want_str(c, "mode", e->mode) || !get_str(c, "hypervisor", &h) ||
        !get_int(c, c->rec, "syscall_cpl", 0, &cpl) || !get_str(c, "pcid", &pcid))
        return false;
    if (cpl > 3)
        return bad(c, "'syscall_cpl' is %lld, expected 0..3", (long long)cpl);
    if (!json_is_boolean(json_object_get(c->rec, "invpcid")))
        return bad(c, json_object_get(c->rec, "invpcid") ? "'invpcid' is not a boolean"
                                                          : "missing 'invpcid'");
    if (has_flavour(e->variant, "pcid")) {
        if (strcmp(pcid, "on") != 0 && strcmp(pcid, "unavailable") != 0)
            return bad(c, "'pcid' is \"%.20s\", expected \"on\" or \"unavailable\" "
                          "for a +pcid variant", pcid);
    } else if (strcmp(pcid, "off") != 0) {
        return bad(c, "'pcid' is \"%.20s\", expected \"off\" (not a +pcid variant)", pcid);
    }
    /* the CPU's identity (hv/lab/platform.c cpu_identity; absent before it) */
    static const char *const strs[] = { "cpu_vendor", "cpu_brand" };
    static const char *const ints[] = { "cpu_family", "cpu_model", "cpu_stepping",
                                        "microcode", "cpus" };
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++) {
        json_t *v = json_object_get(c->rec, strs[i]);
        if (v && (!json_is_string(v) || json_string_length(v) > 48))
            return bad(c, "'%s' is not a string of at most 48 bytes", strs[i]);
    }
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        json_t *v = json_object_get(c->rec, ints[i]);
        if (v && (!json_is_integer(v) || json_integer_value(v) < -1))
            return bad(c, "'%s' is not an integer >= -1", ints[i]);
    }
    for (size_t i = 0; i < sizeof hvs / sizeof *hvs; i++)
        if (strcmp(h, hvs[i]) == 0)
            return true;
    return bad(c, "'hypervisor' is \"%.40s\", not one the hv names", h);
}

static bool check_end(struct vctx *c)
{
    const char *st;
    json_int_t v;
    json_t *doms = json_object_get(c->rec, "domains"), *d;
    size_t i;
    if (!get_str(c, "status", &st) || !get_int(c, c->rec, "records", 0, &v))
        return false;
    if (strcmp(st, "pass") != 0 && strcmp(st, "fail") != 0)
        return bad(c, "'status' is \"%s\", expected \"pass\" or \"fail\"", st);
    if (!doms)
        return true;
    if (!json_is_array(doms))
        return bad(c, "'domains' is not an array");
    json_array_foreach(doms, i, d) {
        if (!json_is_object(d) || !json_is_integer(json_object_get(d, "domid")) ||
            !json_is_string(json_object_get(d, "name")) ||
            !json_is_string(json_object_get(d, "state")) ||
            !json_is_string(json_object_get(d, "reason")))
            return bad(c, "domains[%zu] needs domid (int), name, state, reason", i);
        static const char *const counts[] = { "audits", "audit_violations" };
        for (size_t k = 0; k < 2; k++) {           /* the hv's MMU audit, optional */
            json_t *n = json_object_get(d, counts[k]);
            if (n && (!json_is_integer(n) || json_integer_value(n) < 0))
                return bad(c, "domains[%zu].%s is not an integer >= 0", i, counts[k]);
        }
    }
    return true;
}

/* true if rec is a valid record for e; otherwise why says what is wrong. */
bool record_validate(json_t *rec, const struct expect *e, char *why, size_t n)
{
    struct vctx c = { rec, "", why, n };
    json_t *t = json_object_get(rec, "type"), *v;
    if (!json_is_object(rec)) {
        snprintf(why, n, "record is not a JSON object");
        return false;
    }
    if (!json_is_string(t)) {
        snprintf(why, n, t ? "'type' is not a string" : "record has no 'type'");
        return false;
    }
    c.type = json_string_value(t);
    if (json_object_get(rec, "provenance") || json_object_get(rec, "valid") ||
        json_object_get(rec, "invalid_reason"))
        return bad(&c, "members 'provenance', 'valid' and 'invalid_reason' are the runner's");
    /* wherever present, these must be what was booted */
    if ((v = json_object_get(rec, "variant")) && !want_str(&c, "variant", e->variant))
        return false;
    if ((v = json_object_get(rec, "mode")) && !want_str(&c, "mode", e->mode))
        return false;
    if ((v = json_object_get(rec, "unit")) && !want_str(&c, "unit", e->unit))
        return false;
    if (strcmp(c.type, "result") == 0)
        return check_result(&c, e);
    if (strcmp(c.type, "calibration") == 0)
        return check_calibration(&c, e);
    if (strcmp(c.type, "exposure") == 0)
        return check_exposure(&c, e) && check_workload(&c, e, false);
    if (strcmp(c.type, "robustness") == 0)
        return check_robustness(&c) && check_workload(&c, e, false);
    if (strcmp(c.type, "probe") == 0)
        return check_probe(&c, e);
    if (strcmp(c.type, "platform") == 0)
        return check_platform(&c, e);
    if (strcmp(c.type, "end") == 0)
        return check_end(&c);
    snprintf(why, n, "unknown record type \"%s\"", c.type);
    return false;
}
