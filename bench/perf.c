/* perf.c — run --perf: each QEMU under `perf stat -x, -e cycles,instructions
 * -o FILE --`, its host-side counts (the whole QEMU process) into the boot's
 * provenance; a kvm boot also under `perf kvm stat record`, its VM exits by
 * reason (`perf kvm stat report --event=vmexit`) into "perf_kvm".  Never
 * fails a boot: without counts, "perf" / "perf_kvm": "unavailable". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asilab.h"

#define PERF_MISSING "perf not installed: apt-get install linux-perf"

/* "cycles" of "cycles", "cycles:u" or "cpu_core/cycles/" (hybrid CPUs). */
static void event_name(const char *field, size_t n, char *out, size_t outn)
{
    const char *slash = memchr(field, '/', n);
    if (slash) {
        const char *end = memchr(slash + 1, '/', n - (size_t)(slash + 1 - field));
        n = end ? (size_t)(end - slash - 1) : n - (size_t)(slash + 1 - field);
        field = slash + 1;
    }
    const char *colon = memchr(field, ':', n);
    if (colon)
        n = (size_t)(colon - field);
    snprintf(out, outn, "%.*s", (int)n, field);
}

struct counter {
    const char *name;
    long long *sum;      /* NULL: not wanted */
    bool counted;
    char bad[48];        /* the first non-numeric value seen */
};

char *perf_parse(const char *text, long long *cycles, long long *instructions)
{
    struct counter c[2] = { { "cycles", cycles, false, "" },
                            { "instructions", instructions, false, "" } };
    for (int i = 0; i < 2; i++)
        if (c[i].sum)
            *c[i].sum = 0;
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        /* value,unit,event,... (CSV of -x,) */
        const char *f[3] = { line, NULL, NULL };
        size_t fl[3] = { 0 };
        const char *p = line, *end = line + len;
        int k = 0;
        while (k < 3) {
            const char *comma = memchr(p, ',', (size_t)(end - p));
            fl[k] = (size_t)((comma ? comma : end) - p);
            if (!comma || k == 2)
                break;
            p = comma + 1;
            f[++k] = p;
        }
        if (len && line[0] != '#' && k == 2) {
            char ev[64];
            event_name(f[2], fl[2], ev, sizeof ev);
            for (int i = 0; i < 2; i++) {
                if (!c[i].sum || strcmp(ev, c[i].name) != 0)
                    continue;
                char num[32], *e;
                snprintf(num, sizeof num, "%.*s", (int)fl[0], f[0]);
                errno = 0;
                long long v = strtoll(num, &e, 10);
                if (fl[0] && fl[0] < sizeof num && !*e && !errno && v >= 0) {
                    *c[i].sum += v;
                    c[i].counted = true;
                } else if (!c[i].bad[0]) {
                    snprintf(c[i].bad, sizeof c[i].bad, "%.*s", (int)fl[0], f[0]);
                }
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    for (int i = 0; i < 2; i++) {
        if (!c[i].sum || c[i].counted)
            continue;
        if (c[i].bad[0])
            return xasprintf("%s %s", c[i].name, c[i].bad);
        return xasprintf("no %s count in the perf stat output", c[i].name);
    }
    return NULL;
}

static bool keep_first(void *ctx, char *line, size_t len, size_t lineno)
{
    char **first = ctx;
    (void)len;
    if (!*first && *line)
        *first = xstrdup(line);
    (void)lineno;
    return true;
}

void perf_setup(struct perf *p, bool kvm)
{
    char *why = NULL;
    memset(p, 0, sizeof *p);
    p->perf = qemu_find("perf", &why);
    free(why);
    if (!p->perf) {
        p->reason = xstrdup(PERF_MISSING);
        return;
    }
    const char *tmp = getenv("TMPDIR");
    p->file = xasprintf("%s/asilab-perf.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(p->file);
    if (fd < 0) {
        p->reason = xasprintf("cannot create '%s': %s", p->file, strerror(errno));
        free(p->perf);
        p->perf = NULL;
        return;
    }
    close(fd);
    p->kvm_file = xasprintf("%s/asilab-perf-kvm.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if ((fd = mkstemp(p->kvm_file)) < 0) {
        p->reason = xasprintf("cannot create '%s': %s", p->kvm_file, strerror(errno));
        free(p->perf);
        p->perf = NULL;
        unlink(p->file);
        return;
    }
    close(fd);
    unlink(p->kvm_file);
    /* Does perf stat run a program at all (permissions, kernel match)? */
    char *argv[] = { p->perf, "stat", "-x,", "-e", "cycles,instructions", "-o",
                     p->file, "--", "true", NULL };
    struct proc_result r;
    char *first = NULL;
    proc_run(argv, 10, NULL, keep_first, &first, &r);
    if (r.timed_out || r.signaled || r.exit_status != 0) {
        p->reason = first ? xasprintf("perf stat failed: %s", first)
                          : xasprintf("perf stat failed (exit status %d)",
                                      r.exit_status);
        free(p->perf);
        p->perf = NULL;
    }
    free(first);
    unlink(p->file);
    if (!p->perf || !kvm)
        return;
    /* Does perf kvm stat record (kvm tracepoints, tracefs) work here? */
    char *kargv[] = { p->perf, "kvm", "stat", "record", "-q", "-o", p->kvm_file,
                      "--", "true", NULL };
    first = NULL;
    proc_run(kargv, 10, NULL, keep_first, &first, &r);
    if (r.timed_out || r.signaled || r.exit_status != 0)
        p->kvm_reason = first ? xasprintf("perf kvm stat record failed: %s", first)
                              : xasprintf("perf kvm stat record failed (exit "
                                          "status %d)", r.exit_status);
    free(first);
    unlink(p->kvm_file);
}

char **perf_argv(const struct perf *p, char *const argv[], bool kvm)
{
    if (!p->perf)
        return NULL;
    const char *pre[] = { p->perf, "kvm", "stat", "record", "-q", "-o", p->kvm_file,
                          "--", p->perf, "stat", "-x,", "-e", "cycles,instructions",
                          "-o", p->file, "--" };
    size_t skip = kvm && !p->kvm_reason ? 0 : 8;
    size_t npre = sizeof pre / sizeof *pre - skip, n = 0;
    while (argv[n])
        n++;
    char **v = xmalloc((npre + n + 1) * sizeof *v);
    for (size_t i = 0; i < npre; i++)
        v[i] = xstrdup(pre[skip + i]);
    for (size_t i = 0; i < n; i++)
        v[npre + i] = xstrdup(argv[i]);
    v[npre + n] = NULL;
    return v;
}

char *perf_kvm_parse(const char *text, json_t **exits)
{
    *exits = NULL;
    const char *head = strstr(text, "VM-EXIT");
    const char *total = strstr(text, "Total Samples:");
    if (!head || !total)
        return xstrdup("no VM-EXIT table in the perf kvm stat report");
    long long n = strtoll(total + strlen("Total Samples:"), NULL, 10);
    if (n <= 0)
        return xstrdup("no kvm_exit events recorded (perf kvm stat report: 0 samples)");
    json_t *by = json_object();
    long long sum = 0;
    const char *line = strchr(head, '\n');
    while (line && ++line < total) {
        const char *nl = strchr(line, '\n');
        char reason[64];
        long long k;
        /* "             HLT      12345    40.00%  ..." (names have no spaces) */
        char *one = nl ? strndup(line, (size_t)(nl - line)) : xstrdup(line);
        int got = sscanf(one, "%63s %lld", reason, &k);
        free(one);
        if (got == 2 && k >= 0) {
            json_object_set_new(by, reason, json_integer(k));
            sum += k;
        }
        line = nl;
    }
    if (sum != n) {
        json_decref(by);
        return xasprintf("perf kvm stat report: %lld samples by reason, "
                         "Total Samples:%lld", sum, n);
    }
    *exits = json_pack("{s:I, s:o}", "exits", (json_int_t)n, "by_reason", by);
    return NULL;
}

static bool collect(void *ctx, char *line, size_t len, size_t lineno)
{
    char **text = ctx;
    (void)len;
    char *t = xasprintf("%s%s\n", *text ? *text : "", line);
    free(*text);
    *text = t;
    (void)lineno;
    return true;
}

/* "perf_kvm" of a kvm boot: its VM exits by reason, or why not. */
static void kvm_provenance(const struct perf *p, json_t *prov)
{
    char *reason = NULL, *text = NULL;
    json_t *exits = NULL;
    if (p->reason || p->kvm_reason) {
        reason = xstrdup(p->reason ? p->reason : p->kvm_reason);
    } else {
        char *argv[] = { p->perf, "kvm", "-i", p->kvm_file, "stat", "report",
                         "--event=vmexit", NULL };
        struct proc_result r;
        proc_run(argv, 60, collect, collect, &text, &r);   /* the table: stderr */
        if (r.timed_out || r.signaled || r.exit_status != 0)
            reason = xasprintf("perf kvm stat report failed (exit status %d)",
                               r.exit_status);
        else
            reason = perf_kvm_parse(text ? text : "", &exits);
        unlink(p->kvm_file);
    }
    if (reason) {
        json_object_set_new(prov, "perf_kvm", json_string("unavailable"));
        json_object_set_new(prov, "perf_kvm_reason", json_string(reason));
    } else {
        json_object_set_new(prov, "perf_kvm", exits);
    }
    free(reason);
    free(text);
}

void perf_provenance(const struct perf *p, json_t *prov, bool kvm)
{
    if (kvm && (p->perf || p->reason))
        kvm_provenance(p, prov);

    char *reason = NULL;
    long long cyc = 0, ins = 0;
    if (p->reason) {
        reason = xstrdup(p->reason);
    } else if (p->perf) {
        char *text = read_file(p->file, NULL);
        if (!text)
            reason = xasprintf("no perf stat output (%s)", strerror(errno));
        else
            reason = perf_parse(text, &cyc, &ins);
        free(text);
        unlink(p->file);
    } else {
        return;
    }
    if (reason) {
        json_object_set_new(prov, "perf", json_string("unavailable"));
        json_object_set_new(prov, "perf_reason", json_string(reason));
    } else {
        json_object_set_new(prov, "perf", json_pack("{s:I, s:I}", "cycles",
                            (json_int_t)cyc, "instructions", (json_int_t)ins));
    }
    free(reason);
}

void perf_free(struct perf *p)
{
    if (p->file)
        unlink(p->file);
    if (p->kvm_file)
        unlink(p->kvm_file);
    free(p->kvm_file);
    free(p->kvm_reason);
    free(p->perf);
    free(p->file);
    free(p->reason);
}
