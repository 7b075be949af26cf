/* boot.c — one boot: build its QEMU command line, collect the @asilab
 * records and console noise, and decide pass/fail from records and exit. */
#include <stdlib.h>
#include <string.h>

#include "asilab.h"

#define TAG "@asilab "

const char *boot_status_name(enum boot_status s)
{
    static const char *const names[] = { "pass", "fail", "timeout", "crash",
                                         "interrupted", "incomplete" };
    return names[s];
}

/* The image a boot of variant uses: the counting build/hv-V.elf, or the
 * lean build/lean/hv-V.elf.  Owned by the caller. */
char *hv_image_path(const struct config *cfg, const char *variant, bool lean)
{
    return xasprintf(lean ? "%s/lean/hv-%s.elf" : "%s/hv-%s.elf", cfg->build, variant);
}

void boot_spec_init(struct boot_spec *s, const struct config *cfg,
                    const char *variant, const struct workload *wl, int index,
                    bool kvm, bool lean)
{
    memset(s, 0, sizeof *s);
    s->variant = variant;
    s->wl = wl;
    s->index = index;
    s->kvm = kvm;
    s->timing = kvm || cfg->tcg_timing;
    s->lean = lean;
    s->hv_path = hv_image_path(cfg, variant, lean);
    struct strlist lab = { 0 };
    strlist_push(&lab, wl->name);
    for (const char *const *m = wl->boots[index].modules; *m; m++) {
        char *file = module_file(*m);
        const char *args = module_args(*m);
        char *mod = xasprintf("%s/workloads/%s", cfg->build, *m);
        strlist_push(&s->modules, mod);
        if (m == wl->boots[index].modules) {
            if (*args) {
                char *a = xasprintf("(%s)", args);
                strlist_push(&lab, a);
                free(a);
            }
        } else {
            char *extra = xasprintf("+%.*s", (int)(strlen(file) - 4), file);
            strlist_push(&lab, extra);
            free(extra);
        }
        free(mod);
        free(file);
    }
    s->label = strlist_join(&lab, " ");
    strlist_free(&lab);
    s->argv = qemu_argv(cfg, s->hv_path, kvm, &s->modules, NULL);
    s->cmdline = argv_join(s->argv);
}

/* A boot of workload boot index on Xen x: Xen is the kernel, the
 * workload its dom0 (the runner tells it its variant and mode: there is
 * no lab hypercall to ask). */
void boot_spec_init_xen(struct boot_spec *s, const struct config *cfg,
                        const struct xen_variant *x, const struct workload *wl,
                        int index, bool kvm)
{
    memset(s, 0, sizeof *s);
    s->variant = x->name;
    s->xen = x;
    s->wl = wl;
    s->index = index;
    s->kvm = kvm;
    s->timing = kvm || cfg->tcg_timing;
    s->hv_path = xstrdup(x->image);
    const char *m = wl->boots[index].modules[0], *args = module_args(m);
    char *mod = xasprintf("%s/workloads/%s lab_variant=%s lab_mode=%s", cfg->build, m,
                          x->name, s->timing ? "timing" : "deterministic");
    strlist_push(&s->modules, mod);
    free(mod);
    s->label = *args ? xasprintf("%s (%s)", wl->name, args) : xstrdup(wl->name);
    s->xen_cmdline = xen_cmdline(wl, index, x->opts);
    s->argv = qemu_argv(cfg, s->hv_path, kvm, &s->modules, s->xen_cmdline);
    s->cmdline = argv_join(s->argv);
}

/* An image's entry (bench/image.c): the hv and modules by the paths the
 * image holds them under; there is no QEMU command line. */
void boot_spec_init_log(struct boot_spec *s, const char *variant,
                        const struct workload *wl, int index, bool timing, bool lean)
{
    memset(s, 0, sizeof *s);
    s->variant = variant;
    s->wl = wl;
    s->index = index;
    s->timing = timing;
    s->lean = lean;
    s->from_log = true;
    s->hv_path = xasprintf(lean ? "/asilab/hv/lean/hv-%s.elf" : "/asilab/hv/hv-%s.elf",
                           variant);
    for (const char *const *m = wl->boots[index].modules; *m; m++) {
        char *mod = xasprintf("/asilab/workloads/%s", *m);
        strlist_push(&s->modules, mod);
        free(mod);
    }
    const char *args = module_args(wl->boots[index].modules[0]);
    s->label = *args ? xasprintf("%s (%s)", wl->name, args) : xstrdup(wl->name);
    s->cmdline = xasprintf("multiboot %s mode=%s", s->hv_path,
                           timing ? "timing" : "deterministic");
}

void boot_spec_free(struct boot_spec *s)
{
    free(s->hv_path);
    strlist_free(&s->modules);
    argv_free(s->argv);
    free(s->cmdline);
    free(s->label);
    free(s->xen_cmdline);
}

struct bctx {
    const struct boot_spec *spec;
    const struct config *cfg;
    struct boot_out *out;
    struct expect exp;
    bool stop_at_calibration;
    struct strlist rec_problems;
    char *names[ASILAB_MAX_MODULES + 1];   /* module names without ".elf" */
};

static void add_rec(struct boot_out *o, struct rec r)
{
    if (o->nrecs == o->cap) {
        o->cap = o->cap ? 2 * o->cap : 16;
        o->recs = xrealloc(o->recs, o->cap * sizeof *o->recs);
    }
    o->recs[o->nrecs++] = r;
}

/* What a valid record means for the boot beyond its own fields. */
static void account(struct bctx *c, struct rec *r)
{
    struct boot_out *o = c->out;
    const char *type = json_string_value(json_object_get(r->obj, "type"));
    if (strcmp(type, "end") == 0) {
        o->end_seen = true;
        o->end_status = json_string_value(json_object_get(r->obj, "status"));
        o->end_count = json_integer_value(json_object_get(r->obj, "records"));
        /* The hv's own MMU audit: a violation fails the boot, whatever the
         * (hostile) guest itself reported. */
        json_t *doms = json_object_get(r->obj, "domains"), *d;
        size_t i;
        json_array_foreach(doms, i, d) {
            json_int_t n = json_integer_value(json_object_get(d, "audit_violations"));
            if (n > 0 && !r->error)
                r->error = xasprintf("line %zu: end: the hv's MMU audit found %lld "
                                     "violations in d%lld", r->lineno, (long long)n,
                                     (long long)json_integer_value(json_object_get(d, "domid")));
        }
    } else if (strcmp(type, "result") == 0 || strcmp(type, "probe") == 0 ||
               strcmp(type, "exposure") == 0) {
        o->nresults++;          /* a measurement or an observation */
    } else if (strcmp(type, "platform") == 0 && !o->have_platform) {
        o->have_platform = true;
        snprintf(o->hypervisor, sizeof o->hypervisor, "%s",
                 json_string_value(json_object_get(r->obj, "hypervisor")));
        o->syscall_cpl = (int)json_integer_value(json_object_get(r->obj, "syscall_cpl"));
        const char *pcid = json_string_value(json_object_get(r->obj, "pcid"));
        snprintf(o->pcid, sizeof o->pcid, "%s", pcid ? pcid : "");
    } else if (strcmp(type, "calibration") == 0 && !o->have_calib) {
        o->have_calib = true;
        o->calib_median = json_number_value(json_object_get(r->obj, "median"));
    } else if (strcmp(type, "robustness") == 0) {
        json_int_t inv = json_integer_value(json_object_get(r->obj, "invariant_failures"));
        if (inv > 0 || !json_is_true(json_object_get(r->obj, "survived")))
            r->error = xasprintf("line %zu: robustness: hv %s, %lld invariant failures",
                                 r->lineno,
                                 json_is_true(json_object_get(r->obj, "survived"))
                                     ? "survived" : "did not survive",
                                 (long long)inv);
        else
            o->nrobust++;
    }
}

/* A console or stderr line, kept for printing: bytes that are not
 * UTF-8 text (or are control characters) as \xNN. */
static void keep_line(struct ring *ring, const char *line, size_t len)
{
    char *t = text_escape(line, len, false);
    ring_push(ring, t);
    free(t);
}

/* r's error: "line N: " and why, as valid UTF-8 (why may quote a guest
 * string cut in the middle of a character). */
static void set_error(struct rec *r, const char *why)
{
    char *m = xasprintf("line %zu: %s", r->lineno, why);
    r->error = text_escape(m, strlen(m), false);
    free(m);
}

/* Parse and validate the text of a tagged line (len bytes, any bytes). */
static void parse_record(struct bctx *c, struct rec *r, const char *text, size_t len)
{
    char why[400];
    json_error_t err;
    size_t bad = utf8_bad_at(text, len);
    if (bad < len) {
        /* kept escaped (and marked so): records.jsonl stays UTF-8 JSON */
        r->raw = text_escape(text, len, true);
        r->raw_escaped = true;
        snprintf(why, sizeof why, "%s at byte %zu of the record: rejected",
                 text[bad] ? "not valid UTF-8" : "a NUL byte", bad + 1);
        set_error(r, why);
        return;
    }
    r->raw = xstrdup(text);
    r->obj = json_loads(r->raw, JSON_REJECT_DUPLICATES, &err);
    if (!r->obj) {
        snprintf(why, sizeof why, "invalid JSON: %s", err.text);
        set_error(r, why);
    } else if (!record_validate(r->obj, &c->exp, why, sizeof why)) {
        set_error(r, why);
    }
    /* A \r or tab in parsed JSON is whitespace between tokens: a space
     * keeps the record the same and records.jsonl one line per record. */
    for (char *p = r->raw; r->obj && *p; p++)
        if (*p == '\r' || *p == '\t')
            *p = ' ';
}

static bool on_stdout(void *vc, char *line, size_t len, size_t lineno)
{
    struct bctx *c = vc;
    struct boot_out *o = c->out;
    if (c->spec->from_log) {       /* a GRUB prefix before the first record */
        const char *t = strlen(line) == len ? strstr(line, TAG) : NULL;
        if (t && t != line) {
            len -= (size_t)(t - line);
            line += t - line;
        }
    }
    if (len < strlen(TAG) || memcmp(line, TAG, strlen(TAG)) != 0) {
        keep_line(&o->console, line, len);
        /* Xen stops the machine but QEMU runs on: its end line ends the boot */
        if (c->spec->xen && len >= 6 && memcmp(line, "(XEN) ", 6) == 0 &&
            strlen(line) == len) {
            xen_console_line(&o->xen, line);
            return o->xen.end == XEN_END_NONE;
        }
        return true;
    }
    struct rec r = { .lineno = lineno };
    bool was_end = o->end_seen;
    parse_record(c, &r, line + strlen(TAG), len - strlen(TAG));
    if (!r.error && !was_end)
        account(c, &r);
    if (was_end && !r.error)
        set_error(&r, "record after the end record");
    if (r.error)
        strlist_push(&c->rec_problems, r.error);
    if (!(o->end_seen && !was_end))
        o->nrecords++;
    add_rec(o, r);
    return !(c->stop_at_calibration && o->have_calib);
}

/* QEMU under KVM prints "KVM internal error. Suberror: N", a register
 * dump ending in "Code=..." and then waits for ever: the boot stops at
 * the dump's end (or its RIP line, kept for the reason). */
static bool on_stderr(void *vc, char *line, size_t len, size_t lineno)
{
    struct bctx *c = vc;
    struct boot_out *o = c->out;
    (void)lineno;
    keep_line(&o->qerr, line, len);
    if (!o->kvm_error && strncmp(line, "KVM internal error", 18) == 0) {
        o->kvm_error = text_escape(line, len, false);
    } else if (o->kvm_error && strncmp(line, "RIP=", 4) == 0) {
        size_t n = strcspn(line, " ");              /* "RIP=<hex>" */
        char *rip = text_escape(line, n < 40 ? n : 40, false);
        char *m = xasprintf("%s at %s", o->kvm_error, rip);
        free(o->kvm_error);
        free(rip);
        o->kvm_error = m;
    } else if (o->kvm_error && strncmp(line, "Code=", 5) == 0) {
        return false;
    }
    return true;
}

/* The first thing QEMU said on stderr (usually the cause), or NULL. */
const char *boot_qemu_error(const struct boot_out *o)
{
    return ring_get(&o->qerr, 0);
}

static const char *vector_name(int v)
{
    static const char *const n[] = { "#DE", "#DB", "NMI", "#BP", "#OF", "#BR",
        "#UD", "#NM", "#DF", "vector 9", "#TS", "#NP", "#SS", "#GP", "#PF",
        "vector 15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP" };
    return v < (int)(sizeof n / sizeof *n) ? n[v] : "reserved vector";
}

/* Problem with QEMU's exit, or NULL; sets *st for crashes and timeouts. */
static char *exit_problem(const struct bctx *c, const struct config *cfg,
                          enum boot_status *st)
{
    const struct proc_result *p = &c->out->proc;
    const char *qe = boot_qemu_error(c->out);
    char *tail = qe ? xasprintf(": %s", qe) : xstrdup("");
    char *m = NULL;
    bool xfail = c->spec->wl->expect_fail;
    if (p->log_cut) {
        *st = BOOT_INCOMPLETE;
        m = xasprintf("the log ends before the boot did (no \"hv: exit code\" line)");
    } else if (c->out->kvm_error) {
        *st = BOOT_CRASH;
        m = xasprintf("%s: KVM could not run the hv's ring-0 code (host defect)",
                      c->out->kvm_error);
    } else if (p->interrupted) {
        *st = BOOT_INTERRUPTED;
        m = xasprintf("interrupted");
    } else if (p->timed_out) {
        *st = BOOT_TIMEOUT;
        m = xasprintf("timed out after %g s", cfg->timeout);
    } else if (p->signaled) {
        *st = BOOT_CRASH;
        m = xasprintf("qemu killed by signal %d (%s)%s", p->term_signal,
                      strsignal(p->term_signal), tail);
    } else if (p->exit_status % 2 == 0) {
        *st = BOOT_CRASH;
        m = p->exit_status == 0
                ? xasprintf("qemu exited with status 0 without isa-debug-exit "
                            "(guest reset or triple fault?)%s", tail)
                : xasprintf("qemu exited with status %d, not an isa-debug-exit "
                            "code%s", p->exit_status, tail);
    } else {
        int code = p->exit_status >> 1;
        if (code == 0 && xfail)
            m = xasprintf("hv code 0 (pass), but workload '%s' is expected to "
                          "fail with hv code 1", c->spec->wl->name);
        else if (code == 1 && !xfail)
            m = xasprintf("hv code 1 (fail: a domain crashed or did not shut "
                          "down cleanly)");
        else if (code == 2)
            m = xasprintf("hv code 2 (hv panic)");
        else if (code == 3)
            m = xasprintf("hv code 3 (host defect: SYSCALL from ring 3 did not "
                          "arrive at CPL 0; this KVM does not switch CPL on SYSCALL)");
        else if (code >= 0x20 && code < 0x40)
            m = xasprintf("hv code 0x%x (unexpected exception %s, vector %d, "
                          "inside the hv)", code, vector_name(code - 0x20),
                          code - 0x20);
        else if (code > 2)
            m = xasprintf("hv code 0x%x (unknown)", code);
        if (code >= 2)
            *st = BOOT_CRASH;
    }
    free(tail);
    return m;
}

/* A Xen boot's problem with how it ended, or NULL: Xen halts the machine
 * when dom0 powers off (the runner then stops QEMU); a dom0 crash fails
 * the boot, a Xen panic is a crash, and QEMU exiting on its own is one
 * too (Xen rebooted or triple-faulted). */
static char *xen_exit_problem(const struct bctx *c, const struct config *cfg,
                              enum boot_status *st)
{
    const struct boot_out *o = c->out;
    const struct proc_result *p = &o->proc;
    const char *qe = boot_qemu_error(o);
    switch (o->xen.end) {
    case XEN_END_HALTED:
        return NULL;
    case XEN_END_CRASHED:
        return xasprintf("Xen: %s (dom0, the workload, crashed)", o->xen.end_line);
    case XEN_END_SHUTDOWN:
        return xasprintf("Xen: %s (dom0 did not power off)", o->xen.end_line);
    case XEN_END_PANIC:
        *st = BOOT_CRASH;
        return xasprintf("Xen panic: %s", o->xen.panic ? o->xen.panic : o->xen.end_line);
    case XEN_END_NONE:
        break;
    }
    if (p->interrupted) {
        *st = BOOT_INTERRUPTED;
        return xasprintf("interrupted");
    }
    if (p->timed_out) {
        *st = BOOT_TIMEOUT;
        return xasprintf("timed out after %g s (Xen's dom0 neither shut down nor "
                         "crashed)", cfg->xen_timeout);
    }
    *st = BOOT_CRASH;
    if (p->signaled)
        return xasprintf("qemu killed by signal %d (%s)%s%s", p->term_signal,
                         strsignal(p->term_signal), qe ? ": " : "", qe ? qe : "");
    return xasprintf("qemu exited with status %d before Xen's dom0 shut down "
                     "(Xen rebooted or the machine reset)%s%s", p->exit_status,
                     qe ? ": " : "", qe ? qe : "");
}

/* Problems of the boot as a whole: the end record, its count, no results. */
static void end_problems(struct bctx *c, struct strlist *pl, bool exit_bad)
{
    struct boot_out *o = c->out;
    const char *want = c->spec->wl->expect_fail ? "fail" : "pass";
    char *m = NULL;
    if (o->proc.timed_out || o->proc.interrupted || o->proc.log_cut)
        return;
    if (!o->end_seen) {
        const char *qe = exit_bad ? NULL : boot_qemu_error(o);
        m = xasprintf("no end record%s%s", qe ? "; qemu: " : "", qe ? qe : "");
        strlist_push(pl, m);
        free(m);
    } else {
        if (strcmp(o->end_status, want) != 0) {
            m = xasprintf("end record: status \"%s\", expected \"%s\"",
                          o->end_status, want);
            strlist_push(pl, m);
            free(m);
        }
        if (o->end_count != (long long)o->nrecords) {
            m = xasprintf("end record: hv forwarded %lld records, runner "
                          "received %zu", o->end_count, o->nrecords);
            strlist_push(pl, m);
            free(m);
        }
    }
    if (o->nresults == 0)
        strlist_push(pl, "no valid result record");
    /* a hostile domain that died before it reported is no pass */
    if (c->spec->wl->needs_robustness && o->nrobust != 1) {
        m = xasprintf("%zu valid robustness records (survived, 0 invariant "
                      "failures), expected exactly 1", o->nrobust);
        strlist_push(pl, m);
        free(m);
    }
}

static void verdict(struct bctx *c, const struct config *cfg)
{
    struct boot_out *o = c->out;
    enum boot_status st = BOOT_FAIL;
    char *ex = c->spec->xen ? xen_exit_problem(c, cfg, &st) : exit_problem(c, cfg, &st);
    if (ex)
        strlist_push(&o->problems, ex);
    for (size_t i = 0; i < c->rec_problems.n; i++)
        strlist_push(&o->problems, c->rec_problems.v[i]);
    end_problems(c, &o->problems, ex != NULL);
    free(ex);
    if (o->problems.n == 0) {
        o->status = BOOT_PASS;
        return;
    }
    o->status = st;
    o->reason = o->problems.n > 1
                    ? xasprintf("%s (+%zu more)", o->problems.v[0], o->problems.n - 1)
                    : xstrdup(o->problems.v[0]);
}

/* Start the boot's QEMU; *proc is what proc_wait_any waits for, and after
 * it is done boot_finish makes out's verdict. */
/* The context of one boot (its expectations), out cleared. */
static struct bctx *bctx_new(const struct config *cfg, const struct boot_spec *s,
                             bool stop_at_calibration, struct boot_out *out)
{
    struct bctx *c = xmalloc(sizeof *c);
    memset(c, 0, sizeof *c);
    c->spec = s;
    c->cfg = cfg;
    c->out = out;
    c->stop_at_calibration = stop_at_calibration;
    memset(out, 0, sizeof *out);
    ring_init(&out->console, ASILAB_CONSOLE_KEEP);
    ring_init(&out->qerr, ASILAB_STDERR_KEEP);
    c->exp.variant = s->variant;
    c->exp.mode = s->timing ? "timing" : "deterministic";
    c->exp.unit = s->timing ? "tsc_ticks" : "insns";
    c->exp.lean = s->lean;
    c->exp.xen = s->xen != NULL;
    c->exp.workloads[0] = s->wl->name;
    size_t k = 0;
    for (const char *const *m = s->wl->boots[s->index].modules; *m; m++, k++) {
        c->names[k] = module_file(*m);
        c->names[k][strlen(c->names[k]) - 4] = '\0';     /* drop ".elf" */
        c->exp.workloads[k + 1] = c->names[k];
    }
    return c;
}

struct bctx *boot_start(const struct config *cfg, const struct boot_spec *s,
                        bool stop_at_calibration, struct boot_out *out,
                        struct proc **proc)
{
    struct bctx *c = bctx_new(cfg, s, stop_at_calibration, out);
    *proc = proc_start(s->argv, s->xen ? cfg->xen_timeout : cfg->timeout, on_stdout,
                       on_stderr, c, &out->proc);
    return c;
}

void boot_finish(struct bctx *c)
{
    if (!c->stop_at_calibration)
        verdict(c, c->cfg);
    for (size_t i = 0; c->names[i]; i++)
        free(c->names[i]);
    strlist_free(&c->rec_problems);
    free(c);
}

int hv_exit_line(const char *line)
{
    unsigned int code;
    char tail[2];
    const char *p = strstr(line, "hv: exit code ");
    if (!p || (sscanf(p, "hv: exit code %3u, resettin%1s", &code, tail) != 2 &&
               sscanf(p, "hv: exit code %3u, haltin%1s", &code, tail) != 2))
        return -1;
    return (int)code;
}

struct bctx *boot_log_start(const struct config *cfg, const struct boot_spec *s,
                            struct boot_out *out)
{
    struct bctx *c = bctx_new(cfg, s, false, out);
    out->proc.exit_status = -1;
    return c;
}

void boot_log_line(struct bctx *c, char *line, size_t len, size_t lineno)
{
    int code = strlen(line) == len ? hv_exit_line(line) : -1;
    if (code >= 0 && c->out->proc.exit_status < 0) {
        c->out->proc.exit_status = (code << 1) | 1;    /* as isa-debug-exit */
        keep_line(&c->out->console, line, len);
        return;
    }
    on_stdout(c, line, len, lineno);
}

void boot_log_finish(struct bctx *c, bool cut)
{
    c->out->proc.log_cut = cut || c->out->proc.exit_status < 0;
    boot_finish(c);
}

void boot_run(const struct config *cfg, const struct boot_spec *s,
              bool stop_at_calibration, struct boot_out *out)
{
    struct proc *p;
    struct bctx *c = boot_start(cfg, s, stop_at_calibration, out, &p);
    proc_wait_any(&p, 1);
    boot_finish(c);
}

void boot_out_free(struct boot_out *o)
{
    for (size_t i = 0; i < o->nrecs; i++) {
        free(o->recs[i].raw);
        free(o->recs[i].error);
        json_decref(o->recs[i].obj);
    }
    free(o->recs);
    free(o->reason);
    free(o->kvm_error);
    strlist_free(&o->problems);
    ring_free(&o->console);
    ring_free(&o->qerr);
    xen_console_free(&o->xen);
}

/* Timing-mode figures are real cycles only from a kvm boot whose hv saw
 * KVM (or no hypervisor), whose SYSCALL reached CPL 0 and whose
 * calibration loop ran natively. */
const char *timing_invalid_reason(const struct boot_spec *s, const struct boot_out *o)
{
    if (!s->timing)
        return NULL;
    if (s->from_log) {            /* a machine the runner never saw: its own word */
        if (!o->have_platform)
            return "no platform record";
        if (strcmp(o->hypervisor, "tcg") == 0)
            return "tcg: the TSC is QEMU's virtual clock, not CPU cycles";
    } else if (!s->kvm) {
        return "tcg: the TSC is QEMU's virtual clock, not CPU cycles";
    }
    if (s->xen)
        return "a Xen boot: dom0 has no platform or calibration record to check "
               "its timings by";
    if (!o->have_platform)
        return "no platform record";
    if (strcmp(o->hypervisor, "kvm") != 0 && strcmp(o->hypervisor, "none") != 0)
        return "the hv does not see KVM (hypervisor signature)";
    if (o->syscall_cpl != 0)
        return "SYSCALL did not arrive at CPL 0 (host defect)";
    if (!o->have_calib)
        return "no calibration record";
    if (o->calib_median >= ASILAB_NATIVE_MAX)
        return "kvm emulates ring 0 (calibration loop)";
    return NULL;
}
