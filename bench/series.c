/* series.c — scaling series (`asilab run --series NAME[=VALUES]`): extra
 * boots of a catalog workload, generated at run time from a list of
 * values, e.g. one ctxsw boot per number of domains sharing a pCPU.
 * Every value accepted fits the hv (domains, vCPUs, pCPUs, memory: the
 * assertions below); one that would not is refused, saying why, before
 * anything boots. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asilab.h"

struct series {
    const char *name;
    const char *workload;  /* the catalog workload whose module it boots */
    const char *file;      /* that module, under <build>/workloads/ */
    const char *defaults;  /* NULL: takes no values */
    int lo, hi;            /* each value in lo..hi */
    int max_values;        /* distinct values; see the guests' limits below */
    const char *what;
    const char *limit;     /* why the values stop at hi */
};

/* ctxsw_vcpus=K: one module of K domains (HV_DOMAIN_MIB each, one vCPU). */
#define CTXSW_MAX_K MAX_DOMAINS
_Static_assert(CTXSW_MAX_K * HV_DOMAIN_MIB <= ASILAB_QEMU_MIB / 2,
               "ctxsw_vcpus: K domains fit in QEMU's memory with room for the hv");
/* flush_targets: one domain with a vCPU per pCPU (vcpus = --smp). */
_Static_assert(NR_CPUS <= MAX_VCPUS, "flush_targets: --smp vCPUs fit one domain");
/* refill_pages=P: P pages touched from the image start of the flush
 * guest's domain (HV_DOMAIN_MIB; it refuses more than its own pages). */
#define REFILL_MAX_P 512
_Static_assert(REFILL_MAX_P <= HV_DOMAIN_MIB * 256, "refill_pages: P pages fit the domain");

/* ctxsw: one boot per value, so at most ASILAB_MAX_BOOTS values (2..8 has
 * 7).  flush: the guest reads refill= into 64 bytes; 16 distinct values of
 * 1..512 take at most 16 * 3 + 15 = 63 characters. */
static const struct series series_table[] = {
    { "ctxsw_vcpus", "ctxsw", "ctxsw.elf", "2,3,4,5,6,7,8", 2, CTXSW_MAX_K, 7,
      "a ctxsw boot per K: K domains' vCPUs sharing one pCPU "
      "(mode=cross domains=K; op yield_cross_domain_xK)",
      "K domains: the hv builds at most " ASILAB_STR(MAX_DOMAINS) },
    { "flush_targets", "flush", "flush.elf", NULL, 0, 0, 0,
      "a flush boot: remote flushes of 1..N-1 pCPUs, N = --smp, 2 or more "
      "(ops=remote vcpus=N spread=1)", NULL },
    { "refill_pages", "flush", "flush.elf", "1,2,4,8,16,32,64,128,256,512", 1, REFILL_MAX_P, 16,
      "a flush boot: the refill after a local flush touching P pages "
      "(ops=local refill=P1,P2,...)",
      "pages of the guest's " ASILAB_STR(HV_DOMAIN_MIB) " MiB domain" },
};
#define SERIES_COUNT (sizeof series_table / sizeof series_table[0])

static const struct series *series_find(const char *name, size_t n)
{
    for (size_t i = 0; i < SERIES_COUNT; i++)
        if (strlen(series_table[i].name) == n &&
            strncmp(series_table[i].name, name, n) == 0)
            return &series_table[i];
    return NULL;
}

/* The comma-separated values of s (each lo..hi, distinct) into out. */
static int parse_values(const struct series *s, const char *list, int *out)
{
    int n = 0;
    for (const char *p = list;; p++) {
        size_t len = strcspn(p, ",");
        long v = -1;
        if (len > 0 && len <= 9 && strspn(p, "0123456789") == len)
            v = strtol(p, NULL, 10);
        if (v < s->lo || v > s->hi)
            usage_error("bad --series %s value '%.*s': expected integers %d..%d (%s)",
                        s->name, (int)len, p, s->lo, s->hi, s->limit);
        for (int i = 0; i < n; i++)
            if (out[i] == v)
                usage_error("--series %s: value %ld given twice", s->name, v);
        if (n == s->max_values)
            usage_error("--series %s: at most %d values", s->name, s->max_values);
        out[n++] = (int)v;
        p += len;
        if (!*p)
            return n;
    }
}

static void add_boot(struct workload *w, char *module, int min_smp)
{
    w->boots[w->nboots].modules[0] = module;
    w->boots[w->nboots].modules[1] = NULL;
    w->boots[w->nboots].min_smp = min_smp;
    w->nboots++;
}

struct workload *series_make(const char *arg, int smp, const char *build)
{
    size_t nlen = strcspn(arg, "=");
    const struct series *s = series_find(arg, nlen);
    if (!s) {
        struct strlist names = { 0 };
        for (size_t i = 0; i < SERIES_COUNT; i++)
            strlist_push(&names, series_table[i].name);
        char *v = strlist_join(&names, ", ");
        usage_error("unknown series '%.*s' (valid: %s)", (int)nlen, arg, v);
    }
    const char *list = arg[nlen] ? arg + nlen + 1 : s->defaults;
    if (!s->defaults && arg[nlen])
        usage_error("--series %s takes no values (it uses --smp)", s->name);

    struct workload *w = xmalloc(sizeof *w);
    memset(w, 0, sizeof *w);
    w->name = s->workload;
    w->what = s->name;                  /* series boots: the series' name */
    int vals[16];
    if (strcmp(s->name, "ctxsw_vcpus") == 0) {
        int n = parse_values(s, list, vals);
        for (int i = 0; i < n; i++)
            add_boot(w, xasprintf("%s mode=cross domains=%d", s->file, vals[i]), 0);
    } else if (strcmp(s->name, "flush_targets") == 0) {
        if (smp < 2)
            usage_error("--series flush_targets needs --smp 2 or more");
        add_boot(w, xasprintf("%s ops=remote vcpus=%d spread=1", s->file, smp), 2);
    } else {
        int n = parse_values(s, list, vals);
        struct strlist l = { 0 };
        for (int i = 0; i < n; i++) {
            char *num = xasprintf("%d", vals[i]);
            strlist_push(&l, num);
            free(num);
        }
        char *joined = strlist_join(&l, ",");
        add_boot(w, xasprintf("%s ops=local refill=%s", s->file, joined), 0);
        free(joined);
        strlist_free(&l);
    }

    struct strlist miss = { 0 };
    workload_missing(build, w, &miss);
    if (miss.n)
        usage_error("series '%s' is not built: %s missing", s->name, miss.v[0]);
    return w;
}

void series_free(struct workload *w)
{
    if (!w)
        return;
    for (int b = 0; b < w->nboots; b++)
        free((char *)w->boots[b].modules[0]);
    free(w);
}

void series_list(const char *build, FILE *f)
{
    fprintf(f, "series (run --series NAME[=VALUES], default values shown):\n");
    for (size_t i = 0; i < SERIES_COUNT; i++) {
        const struct series *s = &series_table[i];
        char *path = xasprintf("%s/workloads/%s", build, s->file);
        char *head = s->defaults ? xasprintf("%s=%s", s->name, s->defaults)
                                 : xstrdup(s->name);
        char *range = s->defaults ? xasprintf("; values %d..%d", s->lo, s->hi)
                                  : xstrdup("");
        fprintf(f, "  %s\n      %-8s %s%s\n", head,
                access(path, R_OK) == 0 ? "built" : "missing", s->what, range);
        free(range);
        free(head);
        free(path);
    }
}
