/* main.c — the asilab command line (`run`, `list`, `image`, `ingest`,
 * `lava`, `history`, `plot`, `env`, `compare`, `--help`): selects variants
 * x workload boots, runs them (tcg boots up to --jobs at a time) and
 * reports in boot order; the other commands' options go to their files. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asilab.h"

#ifndef ASILAB_BUILD_DIR
#define ASILAB_BUILD_DIR "."
#endif

static const char usage_text[] =
    "usage: asilab run --variant NAMES --workload NAMES [options]\n"
    "       asilab run --hv xen[=PATH] [--xen-cmdline OPTS]... --workload NAMES [options]\n"
    "       asilab run --variant NAMES --series NAME[=VALUES] ... [options]\n"
    "       asilab list [--build DIR]\n"
    "       asilab image --variant NAMES --workload NAMES [--image KIND] [--mode M]\n"
    "                    [--cmos 0xNN] [--menu-timeout S] --out DIR\n"
    "                         (a GRUB ISO, DIR/asilab.iso, and a PXE folder,\n"
    "                         DIR/tftp, of those boots for a machine of your\n"
    "                         own: the default entry runs them all, resetting\n"
    "                         between boots; records on COM1)\n"
    "       asilab ingest --manifest DIR/manifest.json [--host LABEL] --out OUT LOG...\n"
    "                         (the serial log of such an image's boots as a\n"
    "                         result set; exit 1 if incomplete or a boot failed)\n"
    "       asilab lava --variant NAMES --workload NAMES --device-type TYPES\n"
    "                   [--tags TAGS] [--url URL] [--image KIND] [--mode M] --out DIR\n"
    "                         (LAVA jobs of those boots, one per boot and device\n"
    "                         type (qemu, or bare-metal x86 over iPXE), checked\n"
    "                         with LAVA's schema; a device dictionary for\n"
    "                         lava-run here)\n"
    "       asilab lava submit DIR --server ID|URI\n"
    "                         (lavacli submits them; ids in DIR/submitted.json)\n"
    "       asilab lava collect DIR [--server ID|URI] --out OUT [ENTRY=LOG...]\n"
    "                         (the finished jobs' logs, or lava-run's, ingested\n"
    "                         into OUT/TYPE; exit 1 if any is missing or failed)\n"
    "       asilab history add [--db FILE] DIR...\n"
    "                         (result sets into a history database, SQLite;\n"
    "                         one already there is left as it is)\n"
    "       asilab history [--db FILE] [--op [WORKLOAD/]OP] [--variant NAMES]\n"
    "                      [--host NAME] [--mode M] [--changes] [--plot OUT]\n"
    "                         (an op's cost per run across commits and hosts,\n"
    "                         changes beyond the run-to-run spread flagged;\n"
    "                         without --op, the ops held; exit 1 if none match)\n"
    "       asilab plot DIR   (PNG and SVG plots of DIR/records.jsonl into DIR/plots)\n"
    "       asilab env [--build DIR] [--qemu PATH] [--kvm-cpu MODEL]\n"
    "                         (this host's provenance, whether kvm timings are\n"
    "                         valid (a short kvm probe boot) and whether the\n"
    "                         PMU counts (perf stat); exit 0)\n"
    "       asilab compare A B  (Google Benchmark's compare.py over A/results.json\n"
    "                         and B/results.json, or two results.json files;\n"
    "                         exit status: compare.py's)\n"
    "       asilab --help\n"
    "\n"
    "Boots each hv variant with each workload under QEMU, validates the\n"
    "@asilab records the hv prints on COM1 and writes them, with provenance,\n"
    "to OUT/records.jsonl.  NAMES: comma-separated names, shell-style\n"
    "patterns ('*+stashed_l1', 'per_*': each must match one) or 'all' (for\n"
    "workloads, 'all' leaves out those expected to fail: hostile,\n"
    "hostile_fuzz).\n"
    "\n"
    "options:\n"
    "  -v, --variant NAMES   hv variants (hv-<variant>.elf in the build dir)\n"
    "  -w, --workload NAMES  workloads (see 'asilab list')\n"
    "      --hv KIND         the hypervisor, repeatable: asilab (the default:\n"
    "                        the --variant images) or xen[=PATH], a real Xen\n"
    "                        with each workload as its dom0 (default PATH\n"
    "                        BUILD/xen/xen-4.17.elf, Debian's Xen 4.17 that the\n"
    "                        build decompresses; any multiboot Xen ELF): one\n"
    "                        variant per --xen-cmdline, named after the image\n"
    "                        and options (xen-4.17:xpti=dom0=true); boots that\n"
    "                        need several domains or the lab hypercall are\n"
    "                        skipped with the reason (records.jsonl, 'list')\n"
    "      --xen-cmdline OPTS  Xen options of one configuration, repeatable\n"
    "                        (default: one, Xen's defaults); the runner adds\n"
    "                        the console, noreboot and dom0's size\n"
    "      --series NAME[=VALUES]\n"
    "                        a scaling series: extra boots generated from\n"
    "                        VALUES (comma-separated; default: see 'asilab\n"
    "                        list'); may be repeated, and with --workload\n"
    "                        both run.  Series:\n"
    "                          ctxsw_vcpus[=K,...]   a ctxsw boot per K, 2..8:\n"
    "                            K domains' vCPUs on one pCPU (default 2..8)\n"
    "                          flush_targets         a flush boot: remote\n"
    "                            flushes of 1..N-1 pCPUs, N = --smp (>= 2)\n"
    "                          refill_pages[=P,...]  a flush boot: refill\n"
    "                            after a local flush touching P pages, 1..512\n"
    "                            (default 1,2,4,...,512; at most 16 values)\n"
    "  -a, --accel MODE      auto (default), tcg (deterministic, icount),\n"
    "                        kvm (timing) or tcg-timing (mode=timing under\n"
    "                        plain TCG, to exercise the timing path: its\n"
    "                        results are always marked invalid); auto takes\n"
    "                        kvm only where this host's KVM module and CPU\n"
    "                        can run ring 0 and a probe boot shows it native\n"
    "      --image KIND      counting (default: build/hv-V.elf, events counted),\n"
    "                        lean (build/lean/hv-V.elf, the same hv without\n"
    "                        the lab's counters: costs without the counting's\n"
    "                        own instructions, results without events) or\n"
    "                        paired (every boot on both, lean first: the\n"
    "                        tables, results.json and plots take each op's\n"
    "                        cost from the lean boot and its events from the\n"
    "                        counting boot; bench/run-suite.sh runs this)\n"
    "  -s, --smp N           virtual CPUs, 1..8 (the hv's NR_CPUS; default 2)\n"
    "  -t, --timeout S       seconds per boot before QEMU is killed (default 120,\n"
    "                        180 for a Xen boot, which boots Xen first; 30 for\n"
    "                        the probe boot of env)\n"
    "  -j, --jobs N          run up to N tcg boots at a time, 1..64 (default 1);\n"
    "                        kvm (timing) boots and --perf runs always go one\n"
    "                        at a time; the output is the same for any N\n"
    "  -r, --reps N          run every boot N times, 1..64 (default 1): rep 1\n"
    "                        of all boots, then rep 2, ...; records carry\n"
    "                        \"rep\", results.json repeats each benchmark\n"
    "  -o, --out DIR         output directory (default asilab-out); one that\n"
    "                        exists and is not empty is refused\n"
    "      --force           write into an existing --out DIR: its old\n"
    "                        results.json and plots/ are removed before\n"
    "                        records.jsonl is rewritten (never a mix)\n"
    "  -b, --build DIR       build directory (default " ASILAB_BUILD_DIR ")\n"
    "  -q, --qemu PATH       QEMU binary (default qemu-system-x86_64 in PATH)\n"
    "      --kvm-cpu MODEL   QEMU -cpu of kvm boots (default host; tcg boots\n"
    "                        always use max)\n"
    "      --perf            run each QEMU under 'perf stat -e cycles,instructions'\n"
    "                        (host-side counts of the whole QEMU process, into\n"
    "                        each record's provenance as \"perf\"; \"unavailable\"\n"
    "                        when perf or the PMU is missing); kvm boots also\n"
    "                        under 'perf kvm stat record' (VM exits by reason\n"
    "                        as \"perf_kvm\", or \"unavailable\")\n"
    "      --mode M          image: the hv's mode=, timing (default: a real\n"
    "                        machine's cycles) or deterministic (QEMU icount)\n"
    "      --cmos 0xNN       image: the chain's three CMOS bytes from 0xNN\n"
    "                        (default 0x7c; 0x0e..0x7d; pick bytes your\n"
    "                        firmware does not use)\n"
    "      --menu-timeout S  image: seconds GRUB's menu waits before the chain\n"
    "                        starts (default 10; 0..600)\n"
    "      --manifest FILE   ingest: the image's manifest.json\n"
    "      --host LABEL      ingest: the machine's name in the provenance;\n"
    "                        history: only that host's runs\n"
    "      --device-type TYPES  lava: LAVA device types (qemu: LAVA's qemu boot\n"
    "                        method; any other: bare-metal x86, iPXE multiboot)\n"
    "      --tags TAGS       lava: LAVA device tags every job asks for\n"
    "      --url URL         lava: where DIR/files is served (default file://DIR/files,\n"
    "                        a dispatcher on this machine)\n"
    "      --server ID|URI   lava submit/collect: a lavacli identity or RPC2 URI\n"
    "      --db FILE         history: the database (default asilab-history.sqlite)\n"
    "      --op [WORKLOAD/]OP  history: the op to show (a repeated op: OP#2)\n"
    "      --changes         history: only the runs flagged as changes\n"
    "                        (deterministic: any change from the previous run;\n"
    "                        timing: outside the p10..p90 of the previous runs)\n"
    "      --plot OUT        history: draw --op's runs into OUT.png, OUT.svg\n"
    "  -h, --help            this text\n"
    "\n"
    "exit status: 0 all boots passed, 1 a boot failed, 2 bad usage or setup,\n"
    "130 interrupted\n";

struct opts {
    const char *variant, *workload, *out, *build, *qemu, *kvm_cpu;
    struct strlist series;     /* --series arguments, in order */
    struct strlist hv;         /* --hv arguments (none: asilab) */
    struct strlist xen_opts;   /* --xen-cmdline arguments */
    bool perf;
    bool force;                /* --force: overwrite OUT/records.jsonl */
    bool lean;                 /* --image lean */
    bool paired;               /* --image paired */
    enum accel accel;
    int smp;
    int jobs;                  /* boots at a time (tcg only) */
    int reps;                  /* --reps: runs of every boot */
    double timeout;            /* 0: the command's default */
    const char *mode;          /* image --mode */
    int cmos, menu_timeout;    /* image --cmos, --menu-timeout */
    const char *manifest, *host;   /* ingest (--host: history too) */
    const char *db, *op, *plot;    /* history */
    const char *device_types, *tags, *url, *server;   /* lava */
    bool changes;
};

/* --NAME's value: an integer 1..max (--smp, --jobs, --reps); why: what
 * the limit is, or NULL. */
static int parse_count(const char *name, const char *s, int max, const char *why)
{
    char *e;
    errno = 0;
    long v = strtol(s, &e, 10);
    if (errno || e == s || *e || v < 1 || v > max)
        usage_error("bad --%s '%s': expected an integer 1..%d%s%s%s", name, s, max,
                    why ? " (" : "", why ? why : "", why ? ")" : "");
    return (int)v;
}

/* --NAME's value: an integer lo..hi in base (0: C's prefixes); what: the
 * expectation, for the error. */
static long parse_range(const char *name, const char *s, int base, long lo, long hi,
                        const char *what)
{
    char *e;
    errno = 0;
    long v = strtol(s, &e, base);
    if (errno || e == s || *e || v < lo || v > hi)
        usage_error("bad --%s '%s': expected %s", name, s, what);
    return v;
}

static double parse_timeout(const char *s)
{
    char *e;
    errno = 0;
    double v = strtod(s, &e);
    if (errno || e == s || *e || !(v > 0) || v > 86400)
        usage_error("bad --timeout '%s': expected seconds, > 0 and <= 86400", s);
    return v;
}

static enum accel parse_accel(const char *s)
{
    if (strcmp(s, "auto") == 0)
        return ACCEL_AUTO;
    if (strcmp(s, "tcg") == 0)
        return ACCEL_TCG;
    if (strcmp(s, "kvm") == 0)
        return ACCEL_KVM;
    if (strcmp(s, "tcg-timing") == 0)
        return ACCEL_TCG_TIMING;
    usage_error("bad --accel '%s': expected auto, tcg, kvm or tcg-timing", s);
}

/* Options anywhere on the line; returns the index of the command word. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
    static const struct option longs[] = {
        { "variant", required_argument, NULL, 'v' },
        { "workload", required_argument, NULL, 'w' },
        { "accel", required_argument, NULL, 'a' },
        { "smp", required_argument, NULL, 's' },
        { "timeout", required_argument, NULL, 't' },
        { "jobs", required_argument, NULL, 'j' },
        { "reps", required_argument, NULL, 'r' },
        { "out", required_argument, NULL, 'o' },
        { "build", required_argument, NULL, 'b' },
        { "qemu", required_argument, NULL, 'q' },
        { "kvm-cpu", required_argument, NULL, 'c' },
        { "image", required_argument, NULL, 'I' },
        { "series", required_argument, NULL, 'S' },
        { "hv", required_argument, NULL, 'H' },
        { "xen-cmdline", required_argument, NULL, 'X' },
        { "perf", no_argument, NULL, 'P' },
        { "force", no_argument, NULL, 'F' },
        { "mode", required_argument, NULL, 'M' },
        { "cmos", required_argument, NULL, 'C' },
        { "menu-timeout", required_argument, NULL, 'T' },
        { "manifest", required_argument, NULL, 'm' },
        { "host", required_argument, NULL, 'L' },
        { "device-type", required_argument, NULL, 'y' },
        { "tags", required_argument, NULL, 'g' },
        { "url", required_argument, NULL, 'u' },
        { "server", required_argument, NULL, 'e' },
        { "db", required_argument, NULL, 'D' },
        { "op", required_argument, NULL, 'O' },
        { "changes", no_argument, NULL, 'G' },
        { "plot", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":v:w:a:s:t:j:r:o:b:q:h", longs, NULL)) != -1) {
        switch (c) {
        case 'v': o->variant = optarg; break;
        case 'w': o->workload = optarg; break;
        case 'a': o->accel = parse_accel(optarg); break;
        case 's':
            o->smp = parse_count("smp", optarg, NR_CPUS, "the hv runs at most "
                                 ASILAB_STR(NR_CPUS) " CPUs, its NR_CPUS");
            break;
        case 't': o->timeout = parse_timeout(optarg); break;
        case 'j': o->jobs = parse_count("jobs", optarg, 64, NULL); break;
        case 'r': o->reps = parse_count("reps", optarg, 64, NULL); break;
        case 'o': o->out = optarg; break;
        case 'b': o->build = optarg; break;
        case 'q': o->qemu = optarg; break;
        case 'c': o->kvm_cpu = optarg; break;
        case 'I':
            if (strcmp(optarg, "lean") && strcmp(optarg, "counting") &&
                strcmp(optarg, "paired"))
                usage_error("bad --image '%s': expected counting, lean or paired", optarg);
            o->lean = strcmp(optarg, "lean") == 0;
            o->paired = strcmp(optarg, "paired") == 0;
            break;
        case 'S': strlist_push(&o->series, optarg); break;
        case 'H':
            if (strcmp(optarg, "asilab") && strcmp(optarg, "xen") && strncmp(optarg, "xen=", 4))
                usage_error("bad --hv '%s': expected asilab, xen or xen=PATH", optarg);
            strlist_push(&o->hv, optarg);
            break;
        case 'X': strlist_push(&o->xen_opts, optarg); break;
        case 'P': o->perf = true; break;
        case 'F': o->force = true; break;
        case 'M':
            if (strcmp(optarg, "timing") && strcmp(optarg, "deterministic"))
                usage_error("bad --mode '%s': expected timing or deterministic", optarg);
            o->mode = optarg;
            break;
        case 'C':
            o->cmos = (int)parse_range("cmos", optarg, 0, 0x0e, 0x7d,
                                       "a CMOS byte 0x0e..0x7d");
            break;
        case 'T':
            o->menu_timeout = (int)parse_range("menu-timeout", optarg, 10, 0, 600,
                                               "seconds, 0..600");
            break;
        case 'm': o->manifest = optarg; break;
        case 'L': o->host = optarg; break;
        case 'y': o->device_types = optarg; break;
        case 'g': o->tags = optarg; break;
        case 'u': o->url = optarg; break;
        case 'e': o->server = optarg; break;
        case 'D': o->db = optarg; break;
        case 'O': o->op = optarg; break;
        case 'G': o->changes = true; break;
        case 'p': o->plot = optarg; break;
        case 'h': fputs(usage_text, stdout); exit(0);
        case ':': usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            if (optopt)
                usage_error("unknown option '-%c' (see asilab --help)", optopt);
            usage_error("unknown option '%s' (see asilab --help)", argv[optind - 1]);
        }
    }
    return optind;
}

static char *resolve_build(const char *dir)
{
    char *abs = realpath(dir, NULL);
    if (!abs)
        usage_error("build directory '%s': %s", dir, strerror(errno));
    if (strchr(abs, ','))
        usage_error("build directory '%s' contains ',', which QEMU -initrd "
                    "cannot express", abs);
    return abs;
}

static void scan_variants(const char *build, struct strlist *v)
{
    if (variants_scan(build, v) != 0)
        usage_error("cannot read build directory '%s': %s", build, strerror(errno));
}

/* The "what" column of variant's line in build/variants.tsv (name,
 * strategy, flavours, what; tab-separated), or NULL. */
static const char *variant_what(const char *tsv, const char *variant)
{
    size_t n = strlen(variant);
    for (const char *l = tsv; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0)) {
        if (strncmp(l, variant, n) || l[n] != '\t')
            continue;
        const char *f = l;
        for (int k = 0; k < 3 && f; k++) {
            f = memchr(f, '\t', strcspn(f, "\n"));
            f = f ? f + 1 : NULL;
        }
        return f;
    }
    return NULL;
}

static int cmd_list(const char *build)
{
    struct strlist v = { 0 };
    scan_variants(build, &v);
    printf("variants (hv-<variant>.elf in %s):\n", build);
    if (v.n == 0)
        printf("  (none built)\n");
    char *tsvpath = xasprintf("%s/variants.tsv", build);
    char *tsv = read_file(tsvpath, NULL);   /* what each is, from the table */
    for (size_t i = 0; i < v.n; i++) {
        printf("  %s\n", v.v[i]);
        const char *what = tsv ? variant_what(tsv, v.v[i]) : NULL;
        if (what)
            printf("      %.*s\n", (int)strcspn(what, "\n"), what);
    }
    free(tsv);
    free(tsvpath);
    printf("workloads (<build>/workloads/*.elf):\n");
    for (size_t i = 0; i < workload_count; i++) {
        const struct workload *w = &workload_table[i];
        struct strlist miss = { 0 };
        workload_missing(build, w, &miss);
        printf("  %-12s %d boot%s  %-8s %s%s\n", w->name, w->nboots,
               w->nboots == 1 ? " " : "s", miss.n ? "missing" : "built", w->what,
               w->expect_fail ? " [expected to fail; not in 'all']" : "");
        printf("               ops: %s\n", w->ops ? w->ops : "(none: no result records)");
        int on_xen = 0;                    /* which of its boots run as Xen's dom0 */
        for (int b = 0; b < w->nboots; b++)
            on_xen += !xen_skip_reason(w, b);
        printf("               on Xen (--hv xen): %s", on_xen == w->nboots ? "every boot"
               : on_xen ? "" : "skipped: ");
        if (on_xen && on_xen < w->nboots) {
            printf("%d of %d boots; skipped:", on_xen, w->nboots);
            for (int b = 0; b < w->nboots; b++)
                if (xen_skip_reason(w, b))
                    printf(" (%s)", module_args(w->boots[b].modules[0]));
            printf(": ");
        }
        const char *why = NULL;
        for (int b = 0; b < w->nboots && !why; b++)
            why = xen_skip_reason(w, b);
        printf("%s\n", on_xen == w->nboots ? "" : why);
        strlist_free(&miss);
    }
    series_list(build, stdout);
    strlist_free(&v);
    return 0;
}

struct run {
    const struct config *cfg;
    struct host_info host;
    FILE *records;
    struct table *table;
    struct perf *perf;         /* NULL without --perf */
    size_t total, done, passed, interrupted;
    int jobs;                  /* boots at a time */
    double spent;
    bool warned_timing;
};

/* One boot of the run; slots are in boot order. */
struct slot {
    struct boot_spec s;
    const char *bid;           /* the hv's build id */
    size_t k;                  /* 1-based boot number */
    struct bctx *ctl;          /* while running */
    struct boot_out o;
    bool timings_valid;
    const char *invalid_reason;   /* timings not valid: why */
};

static void print_details(const struct boot_out *o)
{
    for (size_t i = 1; i < o->problems.n; i++)
        fprintf(stderr, "    also: %s\n", o->problems.v[i]);
    if (o->console.n)
        fprintf(stderr, "    console (last %zu lines):\n", o->console.n);
    for (size_t i = 0; i < o->console.n; i++)
        fprintf(stderr, "    | %s\n", ring_get(&o->console, i));
    if (o->qerr.n)
        fprintf(stderr, "    qemu stderr (last %zu lines):\n", o->qerr.n);
    for (size_t i = 0; i < o->qerr.n; i++)
        fprintf(stderr, "    | %s\n", ring_get(&o->qerr, i));
}

/* What a timing boot's own records say about its timings: the platform
 * record and the calibration loop ("hypervisor kvm, SYSCALL at CPL 0,
 * calibration 1.50 cycles/iter"). */
static char *timing_verdict(const struct boot_out *o)
{
    char buf[64];
    char *p = o->have_platform
        ? xasprintf("hypervisor %s, SYSCALL at CPL %d", o->hypervisor, o->syscall_cpl)
        : xstrdup("no platform record");
    char *v = o->have_calib
        ? xasprintf("%s, calibration %s cycles/iter", p,
                    fmt_num(o->calib_median, buf, sizeof buf))
        : xasprintf("%s, no calibration", p);
    free(p);
    return v;
}

/* Once per run: why timing results are marked invalid. */
static void timing_warn(struct run *r, const struct boot_out *o, const char *why)
{
    if (!r->warned_timing) {
        char *v = timing_verdict(o);
        note("warning: timings are not real cycles here (%s; %s): timing results "
             "are marked \"valid\": false with that \"invalid_reason\"", why, v);
        free(v);
        r->warned_timing = true;
    }
}

/* Start slot x's QEMU; *proc: what proc_wait_any waits for. */
static void boot_begin(struct run *r, struct slot *x, struct proc **proc)
{
    struct boot_spec *s = &x->s;
    if (r->jobs == 1) {
        fprintf(stderr, "[%zu/%zu] %s %s ... ", x->k, r->total, s->variant, s->label);
        fflush(stderr);
    }
    char **plain = s->argv, **wrapped = r->perf ? perf_argv(r->perf, s->argv, s->kvm) : NULL;
    if (wrapped)
        s->argv = wrapped;
    x->ctl = boot_start(r->cfg, s, false, &x->o, proc);
    s->argv = plain;
    argv_free(wrapped);
}

/* Slot x's QEMU is done: its verdict and progress line (completion order). */
static void boot_end(struct run *r, struct slot *x)
{
    struct boot_out *o = &x->o;
    boot_finish(x->ctl);
    x->ctl = NULL;
    x->invalid_reason = o->nresults ? timing_invalid_reason(&x->s, o) : NULL;
    x->timings_valid = !x->invalid_reason;
    const char *st = boot_status_name(o->status);
    r->done++;
    r->passed += o->status == BOOT_PASS;
    r->interrupted += o->status == BOOT_INTERRUPTED;
    r->spent += o->proc.elapsed;
    char eta[48] = "";
    if (r->done < r->total) {
        size_t left = r->total - r->done;
        double par = (double)((size_t)r->jobs < left ? (size_t)r->jobs : left);
        snprintf(eta, sizeof eta, ", ETA %.0f s",
                 r->spent / (double)r->done * (double)left / par);
    }
    if (r->jobs > 1)
        fprintf(stderr, "[%zu/%zu] %s %s ... ", x->k, r->total, x->s.variant,
                x->s.label);
    fprintf(stderr, "%s (%zu records, %.1f s%s%s)%s%s\n", st, o->nrecords,
            o->proc.elapsed, eta, x->timings_valid ? "" : ", timings invalid",
            o->reason ? ": " : "", o->reason ? o->reason : "");
    if (!x->timings_valid)
        timing_warn(r, o, x->invalid_reason);
    if (o->status != BOOT_PASS) {
        print_details(o);
        if (x->s.kvm) {        /* what the boot itself said about this KVM */
            char *v = timing_verdict(o);
            fprintf(stderr, "    kvm verdict: %s\n", v);
            free(v);
        }
    }
}

/* Slot x's records and table rows (boot order). */
static void boot_write(struct run *r, struct slot *x)
{
    struct boot_out *o = &x->o;
    const char *st = boot_status_name(o->status);
    json_t *prov = provenance_make(&r->host, &x->s, x->bid, st,
                                   o->have_platform ? o->pcid : NULL);
    if (x->s.xen)
        provenance_xen(prov, &o->xen);
    for (size_t i = 0; i < o->nrecs; i++) {
        struct rec *y = &o->recs[i];
        bool result = y->obj && !y->error &&
            strcmp(json_string_value(json_object_get(y->obj, "type")), "result") == 0;
        y->timing_invalid = result && !x->timings_valid;
        y->invalid_reason = y->timing_invalid ? x->invalid_reason : NULL;
        if (result)
            table_add(r->table, y->obj, prov, o->status != BOOT_PASS ? st
                                              : x->timings_valid ? "" : "invalid timing");
        else if (y->obj && !y->error)
            table_add_record(r->table, y->obj);
    }
    if (r->perf)
        perf_provenance(r->perf, prov, x->s.kvm);
    records_write(r->records, o, prov);
    json_decref(prov);
    boot_out_free(o);
}

/* Run slots (in order, up to r->jobs at a time, none started after ^C);
 * each one's records are written once it and all before it are done. */
static void run_slots(struct run *r, struct slot *slots, size_t n)
{
    struct proc *procs[64] = { 0 };
    size_t at[64], next = 0, wrote = 0;
    int running = 0;
    bool *done = xmalloc((n ? n : 1) * sizeof *done);
    memset(done, 0, (n ? n : 1) * sizeof *done);
    for (;;) {
        for (int i = 0; i < r->jobs && next < n && !asilab_interrupted; i++) {
            if (procs[i])
                continue;
            at[i] = next;
            boot_begin(r, &slots[next++], &procs[i]);
            running++;
        }
        if (!running)
            break;
        int i = proc_wait_any(procs, (size_t)r->jobs);
        if (i < 0)
            break;
        running--;
        boot_end(r, &slots[at[i]]);
        done[at[i]] = true;
        while (wrote < next && done[wrote])
            boot_write(r, &slots[wrote++]);
    }
    free(done);
}

/* --force: the old result set goes before records.jsonl is truncated, so
 * a run killed at any point leaves OUT with old files or new ones, never
 * both: results.json and plots/ first (records.jsonl then opened "w").
 * A results.json that is a directory is no result set: left (and its
 * write fails later). */
static void remove_old_results(const char *out)
{
    char *res = xasprintf("%s/results.json", out), *plots = xasprintf("%s/plots", out);
    if (unlink(res) != 0 && errno != ENOENT && errno != EISDIR)
        usage_error("--force: cannot remove the old '%s': %s", res, strerror(errno));
    if (remove_tree(plots) != 0)
        usage_error("--force: cannot remove the old '%s': %s", plots, strerror(errno));
    free(res);
    free(plots);
}

static void on_signal(int sig)
{
    (void)sig;
    asilab_interrupted = 1;
}

/* The Xen configurations of --hv xen[=PATH] x --xen-cmdline, checked
 * before any boot; *asilab: whether the asilab variants run too (--hv
 * asilab, or no --hv). */
static struct xen_variant *xen_setup(const struct opts *op, const char *build, size_t *n,
                                     bool *asilab)
{
    struct xen_variant *xv = NULL;
    bool any = false;
    *n = 0;
    *asilab = op->hv.n == 0;
    for (size_t h = 0; h < op->hv.n; h++) {
        const char *arg = op->hv.v[h];
        if (strcmp(arg, "asilab") == 0) {
            *asilab = true;
            continue;
        }
        any = true;
        char *path = arg[3] == '=' ? xstrdup(arg + 4) : xasprintf("%s/xen/xen-4.17.elf", build);
        if (!*path)
            usage_error("bad --hv 'xen=': no PATH after '='");
        if (arg[3] != '=' && access(path, R_OK) != 0)
            usage_error("--hv xen: no Xen image at %s: install Debian's "
                        "xen-hypervisor-4.17-amd64 (cmake/install-deps.sh) and re-run "
                        "cmake, or give one with --hv xen=PATH", path);
        char *why = xen_image_check(path);
        if (why)
            usage_error("--hv %s: %s", arg, why);
        char *abs = realpath(path, NULL);
        free(path);
        size_t nopts = op->xen_opts.n ? op->xen_opts.n : 1;
        for (size_t k = 0; k < nopts; k++) {
            const char *o = op->xen_opts.n ? op->xen_opts.v[k] : "";
            char *name = xen_variant_name(abs, o, &why);
            if (!name)
                usage_error("%s", why);
            for (size_t i = 0; i < *n; i++)
                if (strcmp(xv[i].name, name) == 0)
                    usage_error("two Xen configurations are both named '%s' (the "
                                "same image name and options twice?)", name);
            xv = xrealloc(xv, (*n + 1) * sizeof *xv);
            xv[(*n)++] = (struct xen_variant){ name, xstrdup(abs), xstrdup(o) };
        }
        free(abs);
    }
    if (op->xen_opts.n && !any)
        usage_error("--xen-cmdline needs --hv xen[=PATH]");
    return xv;
}

/* A boot Xen cannot run: one "skipped" line in records.jsonl (and a note),
 * so the gap is never silent. */
static void write_skip(FILE *f, const struct xen_variant *x, const struct workload *wl,
                       int b, const char *why)
{
    json_t *mods = json_array();
    for (const char *const *m = wl->boots[b].modules; *m; m++)
        json_array_append_new(mods, json_string(*m));
    json_t *rec = json_pack("{s:s, s:s, s:s, s:o, s:s, s:{s:s, s:s, s:s, s:s}}",
                            "type", "skipped", "variant", x->name, "workload", wl->name,
                            "boot", mods, "reason", why, "provenance", "variant", x->name,
                            "workload", wl->name, "hv", "xen", "boot_status", "skipped");
    char *t = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
    if (t)
        fprintf(f, "%s\n", t);
    free(t);
    json_decref(rec);
    const char *args = module_args(wl->boots[b].modules[0]);
    fprintf(stderr, "%s: %s%s%s%s skipped: %s\n", x->name, wl->name, *args ? " (" : "",
            args, *args ? ")" : "", why);
}

static int cmd_run(const struct opts *op, struct config *cfg)
{
    struct strlist valid_v = { 0 }, valid_w = { 0 }, all_w = { 0 };
    struct strlist vars = { 0 }, wls = { 0 };
    size_t nxv;
    bool asilab;
    struct xen_variant *xv = xen_setup(op, cfg->build, &nxv, &asilab);
    if ((asilab && !op->variant) || (!op->workload && !op->series.n))
        usage_error("run needs --variant (or --hv xen) and --workload or --series "
                    "(see asilab --help)");
    if (!asilab && op->variant)
        usage_error("--variant names asilab images: add --hv asilab to run them "
                    "beside Xen");
    scan_variants(cfg->build, &valid_v);
    for (size_t i = 0; i < workload_count; i++) {
        strlist_push(&valid_w, workload_table[i].name);
        if (!workload_table[i].expect_fail)
            strlist_push(&all_w, workload_table[i].name);
    }
    if (asilab)
        select_names(op->variant, "variant", &valid_v, &valid_v, &vars);
    if (op->workload)
        select_names(op->workload, "workload", &valid_w, &all_w, &wls);
    for (size_t i = 0; i < wls.n; i++) {
        struct strlist miss = { 0 };
        workload_missing(cfg->build, workload_find(wls.v[i]), &miss);
        if (miss.n)
            usage_error("workload '%s' is not built: %s missing", wls.v[i], miss.v[0]);
    }
    /* What runs: the selected workloads' recipes, then the series' boots. */
    size_t nrun = 0, nser = op->series.n;
    const struct workload **runs = xmalloc((wls.n + nser) * sizeof *runs);
    struct workload **ser = xmalloc((nser ? nser : 1) * sizeof *ser);
    for (size_t i = 0; i < wls.n; i++)
        runs[nrun++] = workload_find(wls.v[i]);
    for (size_t i = 0; i < nser; i++)
        runs[nrun++] = ser[i] = series_make(op->series.v[i], cfg->smp, cfg->build);
    char *why = NULL;
    char *qemu = qemu_find(op->qemu, &why);
    if (!qemu && why)
        usage_error("qemu-system-x86_64 not found: %s; install it with "
                    "'apt-get install qemu-system-x86'", why);
    if (!qemu)
        usage_error("qemu-system-x86_64 not found: install it with "
                    "'apt-get install qemu-system-x86'");
    cfg->qemu = qemu;

    /* Before any boot (also the kvm probe): never overwrite a result set
     * silently, and an output that cannot be written fails now. */
    if (!op->force && !dir_empty(cfg->out))
        usage_error("output directory '%s' exists and is not empty: choose a "
                    "new --out or add --force", cfg->out);
    if (mkdir_p(cfg->out) != 0)
        usage_error("cannot create output directory '%s': %s", cfg->out, strerror(errno));
    if (op->force)
        remove_old_results(cfg->out);
    char *path = xasprintf("%s/records.jsonl", cfg->out);
    struct run r = { .cfg = cfg };
    if (!(r.records = fopen(path, "w")))
        usage_error("cannot write '%s': %s", path, strerror(errno));

    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    for (size_t v = 0; (cfg->lean || cfg->paired) && v < vars.n; v++) {   /* before anything runs */
        char *hv = hv_image_path(cfg, vars.v[v], true);
        if (access(hv, R_OK) != 0)
            usage_error("--image %s: no %s (build the lean images: cmake --build)",
                        cfg->paired ? "paired" : "lean", hv);
        free(hv);
    }
    host_info_collect(&r.host, cfg->qemu);     /* also the run's start date */

    /* The kvm probe boots hypercall if it is built, else the first one. */
    const struct workload *probe = workload_find("hypercall");
    struct strlist miss = { 0 };
    workload_missing(cfg->build, probe, &miss);
    if (miss.n)
        probe = runs[0];
    strlist_free(&miss);
    bool kvm;
    if (!vars.n && op->accel == ACCEL_AUTO) {
        fprintf(stderr, "accel: tcg (deterministic, icount) — a Xen-only run: auto "
                "probes KVM with an asilab image; --accel kvm for timing\n");
        kvm = false;
    } else {
        kvm = accel_choose(cfg, op->accel, vars.n ? vars.v[0] : NULL, probe);
    }
    struct perf perf;
    if (op->perf) {
        perf_setup(&perf, kvm);
        r.perf = &perf;
        if (perf.reason)
            fprintf(stderr, "perf: unavailable (%s): records get \"perf\": "
                    "\"unavailable\"\n", perf.reason);
        else
            fprintf(stderr, "perf: each QEMU runs under %s stat -e "
                    "cycles,instructions\n", perf.perf);
        if (kvm && perf.kvm_reason)
            fprintf(stderr, "perf kvm: unavailable (%s): records get "
                    "\"perf_kvm\": \"unavailable\"\n", perf.kvm_reason);
        else if (kvm && !perf.reason)
            fprintf(stderr, "perf kvm: and under %s kvm stat record (VM exits "
                    "by reason)\n", perf.perf);
    }

    r.table = table_new();
    for (size_t i = 0; i < nrun; i++) {
        const struct workload *wl = runs[i];
        for (int b = 0; b < wl->nboots; b++)
            r.total += wl->boots[b].min_smp <= cfg->smp
                ? (vars.n * (cfg->paired ? 2 : 1) + (xen_skip_reason(wl, b) ? 0 : nxv)) *
                      (size_t)op->reps : 0;
    }
    for (size_t x = 0; x < nxv; x++)     /* what Xen cannot run, said once */
        for (size_t i = 0; i < nrun; i++)
            for (int b = 0; b < runs[i]->nboots; b++)
                if (runs[i]->boots[b].min_smp <= cfg->smp && xen_skip_reason(runs[i], b))
                    write_skip(r.records, &xv[x], runs[i], b, xen_skip_reason(runs[i], b));

    /* Every boot, in order: reps x variants x (workloads, series) x their
     * boots (a rep of everything before the next, so drift spreads); a
     * paired boot on the lean image, then at once on the counting one. */
    struct slot *slots = xmalloc((r.total ? r.total : 1) * sizeof *slots);
    char **bids = xmalloc(2 * vars.n * sizeof *bids);   /* [2v]: counting, [2v+1]: lean */
    size_t nslots = 0;
    for (size_t v = 0; v < vars.n; v++)
        for (int ln = 0; ln < 2; ln++) {
            char *hv = hv_image_path(cfg, vars.v[v], ln);
            bids[2 * v + ln] = ln && !cfg->lean && !cfg->paired ? NULL : build_id(hv);
            free(hv);
        }
    char **xbids = xmalloc((nxv ? nxv : 1) * sizeof *xbids);
    for (size_t x = 0; x < nxv; x++)
        xbids[x] = build_id(xv[x].image);
    for (int rp = 1; rp <= op->reps; rp++)
    for (size_t v = 0; v < vars.n + nxv; v++) {
        for (size_t w = 0; w < nrun; w++) {
            const struct workload *wl = runs[w];
            for (int b = 0; b < wl->nboots; b++) {
                if (wl->boots[b].min_smp > cfg->smp)
                    continue;          /* e.g. a wake-up across pCPUs on -smp 1 */
                if (v >= vars.n) {     /* a Xen configuration: one boot, no image pair */
                    const struct xen_variant *xc = &xv[v - vars.n];
                    if (xen_skip_reason(wl, b))
                        continue;
                    struct slot *x = &slots[nslots];
                    memset(x, 0, sizeof *x);
                    boot_spec_init_xen(&x->s, cfg, xc, wl, b, kvm);
                    x->s.rep = op->reps > 1 ? rp : 0;
                    if (x->s.rep) {
                        char *l = x->s.label;
                        x->s.label = xasprintf("%s [rep %d]", l, rp);
                        free(l);
                    }
                    x->bid = xbids[v - vars.n];
                    x->k = ++nslots;
                    continue;
                }
                for (int pass = 0; pass < (cfg->paired ? 2 : 1); pass++) {
                    bool lean = cfg->paired ? pass == 0 : cfg->lean;
                    struct slot *x = &slots[nslots];
                    memset(x, 0, sizeof *x);
                    boot_spec_init(&x->s, cfg, vars.v[v], wl, b, kvm, lean);
                    x->s.rep = op->reps > 1 ? rp : 0;
                    char *l = x->s.label;
                    if (cfg->paired) {
                        x->s.label = xasprintf("%s [%s]", l, lean ? "lean" : "counting");
                        free(l);
                        l = x->s.label;
                    }
                    if (x->s.rep) {
                        x->s.label = xasprintf("%s [rep %d]", l, rp);
                        free(l);
                    }
                    x->bid = bids[2 * v + lean];
                    x->k = ++nslots;
                }
            }
        }
    }
    r.jobs = op->jobs;
    if (r.jobs > 1 && kvm) {
        note("-j %d ignored: kvm (timing) boots run one at a time", r.jobs);
        r.jobs = 1;
    } else if (r.jobs > 1 && r.perf) {
        note("-j %d ignored: --perf boots run one at a time", r.jobs);
        r.jobs = 1;
    }
    run_slots(&r, slots, nslots);
    for (size_t i = 0; i < nslots; i++)
        boot_spec_free(&slots[i].s);
    free(slots);
    for (size_t v = 0; v < 2 * vars.n; v++)
        free(bids[v]);
    free(bids);
    for (size_t x = 0; x < nxv; x++) {
        free(xbids[x]);
        free(xv[x].name);
        free(xv[x].image);
        free(xv[x].opts);
    }
    free(xbids);
    free(xv);
    bool written = !ferror(r.records) && fclose(r.records) == 0;
    table_print(r.table, stdout);
    printf("%zu boots: %zu passed, %zu failed", r.done, r.passed,
           r.done - r.passed - r.interrupted);
    if (r.interrupted)
        printf(", %zu interrupted", r.interrupted);
    putchar('\n');
    fprintf(stderr, "records: %s\n", path);
    if (!written)
        note("error writing '%s': %s", path, strerror(errno));
    else
        written = results_write(path, cfg->out);
    if (asilab_interrupted)
        note("interrupted after %zu of %zu boots", r.done, r.total);
    int rc = asilab_interrupted ? 130 : r.passed == r.total && written ? 0 : 1;
    table_free(r.table);
    if (r.perf)
        perf_free(r.perf);
    host_info_free(&r.host);
    free(path);
    free(qemu);
    strlist_free(&valid_v);
    strlist_free(&valid_w);
    strlist_free(&all_w);
    strlist_free(&vars);
    strlist_free(&wls);
    for (size_t i = 0; i < nser; i++)
        series_free(ser[i]);
    free(ser);
    free(runs);
    return rc;
}

/* asilab image: the selection as for run (all of the catalog's boots of
 * each workload; no series, no Xen). */
/* image, or lava's jobs: the same matrix */
static int image(const struct opts *op, bool lava)
{
    struct strlist valid_v = { 0 }, valid_w = { 0 }, all_w = { 0 }, vars = { 0 }, wls = { 0 };
    const char *cmd = lava ? "lava" : "image";
    if (!op->variant || !op->workload)
        usage_error("%s needs --variant and --workload (see asilab --help)", cmd);
    if (op->hv.n || op->xen_opts.n || op->series.n)
        usage_error("%s boots asilab variants with catalog workloads: no --hv, "
                    "--xen-cmdline or --series", cmd);
    if (!lava && (op->device_types || op->tags || op->url))
        usage_error("--device-type, --tags and --url are lava's options");
    char *build = resolve_build(op->build);
    scan_variants(build, &valid_v);
    for (size_t i = 0; i < workload_count; i++) {
        strlist_push(&valid_w, workload_table[i].name);
        if (!workload_table[i].expect_fail)
            strlist_push(&all_w, workload_table[i].name);
    }
    select_names(op->variant, "variant", &valid_v, &valid_v, &vars);
    select_names(op->workload, "workload", &valid_w, &all_w, &wls);
    for (size_t i = 0; i < wls.n; i++) {
        struct strlist miss = { 0 };
        workload_missing(build, workload_find(wls.v[i]), &miss);
        if (miss.n)
            usage_error("workload '%s' is not built: %s missing", wls.v[i], miss.v[0]);
    }
    for (size_t v = 0; (op->lean || op->paired) && v < vars.n; v++) {
        char *hv = hv_image_path(&(struct config){ .build = build }, vars.v[v], true);
        if (access(hv, R_OK) != 0)
            usage_error("--image %s: no %s (build the lean images: cmake --build)",
                        op->paired ? "paired" : "lean", hv);
        free(hv);
    }
    struct image_args ia = { .variants = &vars, .workloads = &wls, .build = build,
                             .out = op->out, .lean = op->lean, .paired = op->paired,
                             .timing = !op->mode || strcmp(op->mode, "timing") == 0,
                             .cmos = lava ? 0 : op->cmos ? op->cmos : 0x7c,
                             .menu_timeout = op->menu_timeout >= 0 ? op->menu_timeout : 10 };
    struct lava_args la = { .image = &ia, .device_types = op->device_types,
                            .tags = op->tags, .url = op->url };
    if (lava && (op->cmos || op->menu_timeout >= 0))
        usage_error("--cmos and --menu-timeout are image's options");
    int rc = lava ? cmd_lava_jobs(&la) : cmd_image(&ia);
    strlist_free(&valid_v);
    strlist_free(&valid_w);
    strlist_free(&all_w);
    strlist_free(&vars);
    strlist_free(&wls);
    free(build);
    return rc;
}

int main(int argc, char **argv)
{
    struct opts op = { .accel = ACCEL_AUTO, .smp = 2, .jobs = 1, .reps = 1, .menu_timeout = -1,
                       .out = "asilab-out", .build = ASILAB_BUILD_DIR };
    signal(SIGPIPE, SIG_IGN);
    int first = parse_opts(argc, argv, &op);
    if (first >= argc) {
        fputs(usage_text, stderr);
        return 2;
    }
    const char *cmd = argv[first];
    if (strcmp(cmd, "plot") == 0) {
        if (first + 2 != argc)
            usage_error("plot needs exactly one result directory (see asilab --help)");
        return cmd_plot(argv[first + 1], ASILAB_PLOTS_DIR);
    }
    if (strcmp(cmd, "compare") == 0) {
        if (first + 3 != argc)
            usage_error("compare needs two result directories or results.json "
                        "files (see asilab --help)");
        return cmd_compare(argv[first + 1], argv[first + 2]);
    }
    if (strcmp(cmd, "ingest") == 0) {
        char *build = resolve_build(op.build);
        struct ingest_args ia = { .manifest = op.manifest, .host = op.host, .build = build,
                                  .out = op.out, .logs = argv + first + 1,
                                  .nlogs = argc - first - 1 };
        int rc = cmd_ingest(&ia);
        free(build);
        return rc;
    }
    if (strcmp(cmd, "lava") == 0 && first + 1 < argc) {
        const char *sub = argv[first + 1];
        if (strcmp(sub, "submit") && strcmp(sub, "collect"))
            usage_error("unexpected argument '%s' (lava, lava submit DIR or lava collect "
                        "DIR)", sub);
        if (first + 2 >= argc)
            usage_error("lava %s needs the jobs' DIR", sub);
        char *build = resolve_build(op.build);
        struct lava_args la = { .dir = argv[first + 2], .server = op.server,
                                .out = strcmp(op.out, "asilab-out") ? op.out : NULL,
                                .host = op.host, .build = build,
                                .device_types = op.device_types,
                                .logs = argv + first + 3, .nlogs = argc - first - 3 };
        if (strcmp(sub, "submit") == 0 && la.nlogs)
            usage_error("unexpected argument '%s'", la.logs[0]);
        int rc = strcmp(sub, "submit") == 0 ? cmd_lava_submit(&la) : cmd_lava_collect(&la);
        free(build);
        return rc;
    }
    if (strcmp(cmd, "history") == 0) {
        bool add = first + 1 < argc && strcmp(argv[first + 1], "add") == 0;
        struct history_args ha = { .db = op.db ? op.db : "asilab-history.sqlite",
                                   .add = add, .dirs = argv + first + 1 + add,
                                   .ndirs = argc - first - 1 - add, .op = op.op,
                                   .variant = op.variant, .host = op.host, .mode = op.mode,
                                   .plot = op.plot, .changes = op.changes,
                                   .scripts = ASILAB_PLOTS_DIR };
        return cmd_history(&ha);
    }
    if (first + 1 < argc)
        usage_error("unexpected argument '%s' (see asilab --help)", argv[first + 1]);
    if (strcmp(cmd, "image") == 0 || strcmp(cmd, "lava") == 0)
        return image(&op, strcmp(cmd, "lava") == 0);
    struct config cfg = { .out = op.out, .kvm_cpu = op.kvm_cpu, .smp = op.smp,
                          .timeout = op.timeout ? op.timeout : 120,
                          .xen_timeout = op.timeout ? op.timeout : XEN_TIMEOUT_S,
                          .tcg_timing = op.accel == ACCEL_TCG_TIMING,
                          .lean = op.lean, .paired = op.paired };
    if (strcmp(cmd, "env") == 0) {
        cfg.timeout = op.timeout ? op.timeout : 30;   /* the probe boot */
        int rc = cmd_env(&cfg, op.build, op.qemu);
        strlist_free(&op.series);
        return rc;
    }
    if (strcmp(cmd, "list") == 0 || strcmp(cmd, "run") == 0) {
        char *build = resolve_build(op.build);
        cfg.build = build;
        int rc = strcmp(cmd, "list") == 0 ? cmd_list(build) : cmd_run(&op, &cfg);
        free(build);
        strlist_free(&op.series);
        strlist_free(&op.hv);
        strlist_free(&op.xen_opts);
        return rc;
    }
    usage_error("unknown command '%s' (expected run, list, image, ingest, lava, history, "
                "plot, env or compare; see asilab --help)", cmd);
}
