/* ingest.c — asilab ingest: a captured serial log of an image's boots
 * (a board's console, a LAVA job's log, a file) back into a result set,
 * with the checks of a live boot.
 *
 * The image's manifest (bench/image.c) says what entry K is; the log's
 * "@asilab-boot K/N" lines cut it into boots; each boot's lines go through
 * the same record validation and verdict as a QEMU boot's (boot.c), its
 * "hv: exit code N" line standing in for QEMU's exit status.  Provenance
 * comes from the log itself -- the platform record's CPU (vendor, brand,
 * family/model/stepping, microcode) and hypervisor -- and the user's
 * --host label; timing results count as real cycles only where the hv saw
 * no hypervisor or KVM, SYSCALL at CPL 0 and a native calibration loop.
 *
 * Bad logs lose nothing that validates: a record that does not is kept
 * with its record_error (line N of its log), a boot the log cuts short is
 * "incomplete", a manifest entry the logs never reach is reported, and
 * OUT/ingest.json says whether the set is complete. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "asilab.h"

struct mentry {
    const char *variant, *image, *build_id;
    const struct workload *wl;
    int b;
};

struct manifest {
    json_t *root;
    const char *mode, *git_rev, *date;
    struct mentry *e;
    size_t n;
};

static void manifest_load(const char *path, struct manifest *m)
{
    json_error_t err;
    memset(m, 0, sizeof *m);
    m->root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!m->root)
        usage_error("manifest '%s': %s (line %d)", path, err.text, err.line);
    json_t *boots = json_object_get(m->root, "boots");
    json_t *ver = json_object_get(m->root, "asilab_image");
    if (!json_is_integer(ver) || json_integer_value(ver) != 1)
        usage_error("manifest '%s': not an asilab image manifest of version 1 "
                    "(\"asilab_image\")", path);
    m->mode = json_string_value(json_object_get(m->root, "mode"));
    m->git_rev = json_string_value(json_object_get(m->root, "git_rev"));
    m->date = json_string_value(json_object_get(m->root, "date"));
    if (!m->mode || (strcmp(m->mode, "timing") && strcmp(m->mode, "deterministic")))
        usage_error("manifest '%s': \"mode\" is not timing or deterministic", path);
    if (!json_is_array(boots) || json_array_size(boots) == 0)
        usage_error("manifest '%s': no \"boots\"", path);
    m->n = json_array_size(boots);
    m->e = xmalloc(m->n * sizeof *m->e);
    for (size_t k = 0; k < m->n; k++) {
        json_t *b = json_array_get(boots, k);
        struct mentry *x = &m->e[k];
        const char *wl = json_string_value(json_object_get(b, "workload"));
        x->variant = json_string_value(json_object_get(b, "variant"));
        x->image = json_string_value(json_object_get(b, "image"));
        x->build_id = json_string_value(json_object_get(b, "build_id"));
        x->wl = wl && name_ok(wl) ? workload_find(wl) : NULL;
        json_t *bi = json_object_get(b, "boot");
        x->b = json_is_integer(bi) ? (int)json_integer_value(bi) : -1;
        if (json_integer_value(json_object_get(b, "entry")) != (json_int_t)k + 1 ||
            !x->variant || !variant_name_ok(x->variant) || !x->image ||
            (strcmp(x->image, "lean") && strcmp(x->image, "counting")) || !x->build_id)
            usage_error("manifest '%s': boot %zu is malformed (entry, variant, image, "
                        "build_id)", path, k + 1);
        if (!x->wl || x->b < 0 || x->b >= x->wl->nboots)
            usage_error("manifest '%s': boot %zu: workload '%.40s' boot %d is not in "
                        "this asilab's catalog", path, k + 1, wl ? wl : "?", x->b);
    }
}

struct ingest {
    const struct ingest_args *a;
    struct manifest m;
    struct config cfg;
    FILE *records;
    struct table *table;
    struct strlist problems;
    size_t *seen;
    size_t boots, passed, cut, nrec;
    bool campaign_end;
    /* the boot being read */
    struct boot_spec spec;
    struct boot_out out;
    struct bctx *ctl;
    size_t entry, first_line;
    const char *log;
};

static json_t *platform_of(const struct boot_out *o)
{
    for (size_t i = 0; i < o->nrecs; i++) {
        json_t *r = o->recs[i].obj;
        if (r && !o->recs[i].error &&
            strcmp(json_string_value(json_object_get(r, "type")), "platform") == 0)
            return r;
    }
    return NULL;
}

/* The host of a boot, as its own platform record tells it. */
static void host_from_log(struct host_info *h, const struct boot_out *o, const char *label,
                          const char *date)
{
    json_t *p = platform_of(o);
    memset(h, 0, sizeof *h);
    h->family = h->model = h->stepping = -1;
    h->hostname = xstrdup(label ? label : "unknown");
    h->date = xstrdup(date);
    if (!p)
        return;
    const char *brand = json_string_value(json_object_get(p, "cpu_brand"));
    if (brand)
        h->cpu_model = xstrdup(brand);
    json_t *v;
    if (json_is_integer(v = json_object_get(p, "cpu_family")))
        h->family = (int)json_integer_value(v);
    if (json_is_integer(v = json_object_get(p, "cpu_model")))
        h->model = (int)json_integer_value(v);
    if (json_is_integer(v = json_object_get(p, "cpu_stepping")))
        h->stepping = (int)json_integer_value(v);
    if (json_is_integer(v = json_object_get(p, "microcode")) && json_integer_value(v) >= 0)
        h->microcode = xasprintf("0x%llx", (unsigned long long)json_integer_value(v));
}

static void boot_close(struct ingest *g, size_t last_line, bool cut)
{
    if (!g->ctl)
        return;
    struct boot_out *o = &g->out;
    boot_log_finish(g->ctl, cut);
    g->ctl = NULL;
    const char *invalid = o->nresults ? timing_invalid_reason(&g->spec, o) : NULL;
    const char *st = boot_status_name(o->status);
    const struct mentry *x = &g->m.e[g->entry - 1];
    char date[32];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    struct host_info h;
    const char *label = g->a->host;
    if (g->a->entry_host && g->entry <= g->a->nentry && g->a->entry_host[g->entry - 1])
        label = g->a->entry_host[g->entry - 1];
    host_from_log(&h, o, label, date);
    json_t *prov = provenance_make(&h, &g->spec, x->build_id, st,
                                   o->have_platform ? o->pcid : NULL);
    host_info_free(&h);
    json_object_del(prov, "qemu_cmdline");
    json_object_del(prov, "qemu_version");
    json_object_del(prov, "kvm_module");
    json_object_del(prov, "cpu_virt");
    json_object_del(prov, "host_kernel");
    json_object_set_new(prov, "accel", json_string(!o->have_platform ? "unknown"
                                                   : strcmp(o->hypervisor, "none") == 0
                                                   ? "none" : o->hypervisor));
    json_object_set_new(prov, "git_rev", json_string(g->m.git_rev ? g->m.git_rev : "unknown"));
    json_object_set_new(prov, "source", json_pack("{s:s, s:s, s:I, s:I, s:I, s:s?}",
        "kind", "log", "log", g->log, "first_line", (json_int_t)g->first_line,
        "last_line", (json_int_t)last_line, "entry", (json_int_t)g->entry,
        "image_date", g->m.date));
    if (g->a->entry_job && g->entry <= g->a->nentry && g->a->entry_job[g->entry - 1])
        json_object_set_new(json_object_get(prov, "source"), "lava_job",
                            json_string(g->a->entry_job[g->entry - 1]));
    for (size_t i = 0; i < o->nrecs; i++) {
        struct rec *y = &o->recs[i];
        bool result = y->obj && !y->error &&
            strcmp(json_string_value(json_object_get(y->obj, "type")), "result") == 0;
        y->timing_invalid = result && invalid;
        y->invalid_reason = y->timing_invalid ? invalid : NULL;
        if (result)
            table_add(g->table, y->obj, prov, o->status != BOOT_PASS ? st
                                              : invalid ? "invalid timing" : "");
        else if (y->obj && !y->error)
            table_add_record(g->table, y->obj);
    }
    records_write(g->records, o, prov);
    json_decref(prov);
    g->boots++;
    g->nrec += o->nrecs;
    g->passed += o->status == BOOT_PASS;
    g->cut += o->status == BOOT_INCOMPLETE;
    fprintf(stderr, "[%zu/%zu] %s %s%s ... %s (%zu records, %s lines %zu-%zu)%s%s\n",
            g->entry, g->m.n, x->variant, g->spec.label, g->spec.lean ? " [lean]" : "",
            st, o->nrecords, g->log, g->first_line, last_line, o->reason ? ": " : "",
            o->reason ? o->reason : "");
    for (size_t i = 1; i < o->problems.n; i++)
        fprintf(stderr, "    also: %s\n", o->problems.v[i]);
    if (o->status != BOOT_PASS) {
        char *p = xasprintf("%s lines %zu-%zu: boot %zu/%zu (%s %s): %s: %s", g->log,
                            g->first_line, last_line, g->entry, g->m.n, x->variant,
                            g->spec.label, st, o->reason ? o->reason : "");
        strlist_push(&g->problems, p);
        free(p);
    }
    boot_out_free(o);
    boot_spec_free(&g->spec);
}

static void boot_open(struct ingest *g, size_t k, size_t lineno)
{
    const struct mentry *x = &g->m.e[k - 1];
    boot_spec_init_log(&g->spec, x->variant, x->wl, x->b,
                       strcmp(g->m.mode, "timing") == 0, strcmp(x->image, "lean") == 0);
    g->ctl = boot_log_start(&g->cfg, &g->spec, &g->out);
    g->entry = k;
    g->first_line = lineno;
    g->seen[k - 1]++;
}

static void problem(struct ingest *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void problem(struct ingest *g, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *t = text_escape(buf, strlen(buf), false);
    note("%s", t);
    strlist_push(&g->problems, t);
    free(t);
}

static void read_log(struct ingest *g, const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        problem(g, "%s: cannot read: %s", path, strerror(errno));
        return;
    }
    g->log = path;
    size_t lineno = 0, outside = 0, first_outside = 0;
    for (char *p = text, *end = text + len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n && p[n - 1] == '\r')
            n--;
        p[n] = '\0';
        lineno++;
        const char *mark = strlen(p) == n ? strstr(p, "@asilab-boot ") : NULL;
        const char *done = strlen(p) == n ? strstr(p, "@asilab-campaign end ") : NULL;
        size_t k = 0, total = 0;
        char tail = 0;
        if (mark) {
            boot_close(g, lineno - 1, true);
            int got = sscanf(mark, "@asilab-boot %zu/%zu%c", &k, &total, &tail);
            if ((got != 2 && (got != 3 || (unsigned char)tail > ' ')) ||
                total != g->m.n || k < 1 || k > g->m.n)
                problem(g, "%s line %zu: boot marker '%.40s' does not fit the manifest "
                        "(%zu boots): its lines are not a boot", path, lineno, mark, g->m.n);
            else
                boot_open(g, k, lineno);
        } else if (done) {
            boot_close(g, lineno - 1, true);
            g->campaign_end = true;
        } else if (g->ctl) {
            boot_log_line(g->ctl, p, n, lineno);
            if (g->out.proc.exit_status >= 0)
                boot_close(g, lineno, false);          /* the hv's last line */
        } else if (n && strstr(p, "@asilab ")) {
            if (!outside++)
                first_outside = lineno;
        }
        p = nl ? nl + 1 : end;
    }
    boot_close(g, lineno, true);
    if (outside)
        problem(g, "%s: %zu record line(s) outside any boot (first: line %zu): no "
                "\"@asilab-boot K/N\" line before them", path, outside, first_outside);
    free(text);
}

int cmd_ingest(const struct ingest_args *a)
{
    struct ingest g = { .a = a };
    if (!a->manifest)
        usage_error("ingest needs --manifest FILE (the image's manifest.json)");
    if (a->nlogs == 0)
        usage_error("ingest needs at least one LOG (see asilab --help)");
    if (a->host && (!*a->host || strlen(a->host) > 64 ||
                    strspn(a->host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789_.-") != strlen(a->host)))
        usage_error("bad --host '%s': expected letters, digits, '.', '-', '_'", a->host);
    manifest_load(a->manifest, &g.m);
    if (!dir_empty(a->out))
        usage_error("output directory '%s' exists and is not empty: choose a new --out",
                    a->out);
    if (mkdir_p(a->out) != 0)
        usage_error("cannot create output directory '%s': %s", a->out, strerror(errno));
    char *path = xasprintf("%s/records.jsonl", a->out);
    if (!(g.records = fopen(path, "w")))
        usage_error("cannot write '%s': %s", path, strerror(errno));
    g.cfg = (struct config){ .build = a->build, .out = a->out, .smp = 1, .timeout = 0 };
    g.table = table_new();
    g.seen = xmalloc(g.m.n * sizeof *g.seen);
    memset(g.seen, 0, g.m.n * sizeof *g.seen);
    for (int i = 0; i < a->nlogs; i++)
        read_log(&g, a->logs[i]);
    size_t missing = 0;
    for (size_t k = 0; k < g.m.n; k++)
        if (!g.seen[k] && missing++ < 20)
            problem(&g, "boot %zu/%zu (%s, %s image, %s boot %d) is in no log", k + 1, g.m.n,
                    g.m.e[k].variant, g.m.e[k].image, g.m.e[k].wl->name, g.m.e[k].b);
    if (missing > 20)
        problem(&g, "... %zu boots of the manifest in no log in all", missing);
    bool complete = !missing && !g.cut;
    bool written = !ferror(g.records) && fclose(g.records) == 0;
    table_print(g.table, stdout);
    printf("%zu boots read: %zu passed, %zu failed (%zu cut short); %zu of %zu manifest "
           "boots missing; set %s\n", g.boots, g.passed, g.boots - g.passed, g.cut, missing,
           g.m.n, complete ? "complete" : "incomplete");
    fprintf(stderr, "records: %s\n", path);
    if (written)
        written = results_write(path, a->out);
    json_t *probs = json_array();
    for (size_t i = 0; i < g.problems.n; i++)
        json_array_append_new(probs, json_string(g.problems.v[i]));
    json_t *logs = json_array();
    for (int i = 0; i < a->nlogs; i++)
        json_array_append_new(logs, json_string(a->logs[i]));
    json_t *sum = json_pack("{s:b, s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:b, s:o}",
                            "complete", complete, "logs", logs, "manifest", a->manifest,
                            "boots_expected", (json_int_t)g.m.n, "boots_read",
                            (json_int_t)g.boots, "boots_passed", (json_int_t)g.passed,
                            "boots_missing", (json_int_t)missing, "records",
                            (json_int_t)g.nrec, "campaign_end_seen", g.campaign_end,
                            "problems", probs);
    char *spath = xasprintf("%s/ingest.json", a->out);
    if (!sum || json_dump_file(sum, spath, JSON_INDENT(1)) != 0) {
        note("cannot write '%s'", spath);
        written = false;
    }
    json_decref(sum);
    free(spath);
    table_free(g.table);
    strlist_free(&g.problems);
    free(g.seen);
    free(g.m.e);
    json_decref(g.m.root);
    free(path);
    return written && complete && g.passed == g.boots ? 0 : 1;
}
