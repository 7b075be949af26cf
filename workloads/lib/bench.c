/* The batched measurement harness: warm-up discarded, batch size grown
 * until one batch costs at least BATCH_BUDGET ticks, then SAMPLES
 * batches timed with fenced TSC reads; per op min/p10/median/p90/max and
 * the hv's event-counter deltas per op, emitted as one @asilab record.
 * Events are counted around SAMPLES batches of n ops minus SAMPLES empty
 * batches (n = 0), so what a batch costs around its ops (e.g. entering
 * guest user mode) is not charged to the op.
 * Overhead: the same batch loop with no operation in it is timed too,
 * and its median is always subtracted from every sample (one rule for
 * every op, variant and mode: results/README.md); the record reports it
 * ("overhead") and its spread ("overhead_p10", "overhead_p90"), so a
 * noisy empty loop is visible rather than silently left in.
 * Multi-modal: the sorted samples have a gap wider than 10% of the median
 * with at least a fifth of them on each side.  The record also carries
 * every sample's per-op value ("values", sorted). */
#include "guest.h"

#define BATCH_BUDGET 20000      /* TSC ticks: instructions under icount */
#define MAX_BATCH    (1UL << 16)
#define SAMPLES      31       /* default; module argument samples=3..255 */
#define MAX_SAMPLES  255
#define WARMUP       2

static const char *const event_names[] = {
#define X(n) #n,
    ASILAB_EVENTS(X)
#undef X
};

static uint64_t time_batch(bench_fn *fn, void *ctx, unsigned long n)
{
    return fn(ctx, n);
}

/* The batch loop with nothing in it: what timing and looping cost (the
 * ops' own TIMED_LOOP, empty). */
BENCH_FN(empty_batch, __asm__ volatile("" ::: "memory"))

static bool multimodal(const uint64_t *s, unsigned int n)
{
    uint64_t med = s[n / 2];
    for (unsigned int i = n / 5; i + 1 < n && i + 1 <= n - n / 5; i++)
        if (i >= 1 && s[i] - s[i - 1] > med / 10 && i >= n / 5 && n - i >= n / 5)
            return true;
    return false;
}

/* This pCPU's counters and the sums over the other pCPUs; on a perfc=y
 * Xen also every Xen counter's values (xv). */
struct counters { struct asilab_counters here, remote; uint32_t *xv; };
static uint32_t xen_vals[3][4096];

static void get_counters(struct counters *c)
{
    if (lab_on_xen) {
        if (xen_perfc_on) {
            xen_perfc_snapshot(c->xv);
            xen_perfc_counters(c->xv, &c->here, &c->remote);
        }
        return;
    }
    if (!lab_info.counters)             /* a lean image: nothing to read */
        return;
    if (HYPERVISOR_asilab_op(ASILAB_OP_get_counters, &c->here) ||
        HYPERVISOR_asilab_op(ASILAB_OP_get_counters_remote, &c->remote))
        guest_panic("get_counters failed");
}

/* Whether a record carries event e: every event on asilab's counting
 * images, on Xen those its perf counters count (xen_perfc.h). */
static bool reported(int e)
{
    return !lab_on_xen || xen_perfc_has(e);
}

/* Per-op deltas of one counter set, minus those of the empty batches, as
 * "name":value,... into rec. */
static int fmt_events(char *rec, size_t n, const struct asilab_counters *c0,
                      const struct asilab_counters *c1, const struct asilab_counters *c2,
                      uint64_t div)
{
    int len = 0;
    for (int e = 0; e < NR_ASILAB_EVENTS; e++) {
        char v[32];
        uint64_t with = c2->ev[e] - c1->ev[e], without = c1->ev[e] - c0->ev[e];
        if (!reported(e))
            continue;
        fmt_ratio(v, sizeof(v), with > without ? with - without : 0, div);
        len += snprintf(rec + len, n - len, "%s\"%s\":%s", len ? "," : "", event_names[e], v);
    }
    return len;
}


void bench_op(const char *op, bench_fn *fn, void *ctx, unsigned int ops_per_iter)
{
    struct counters c0 = { .xv = xen_vals[0] }, c1 = { .xv = xen_vals[1] },
                    c2 = { .xv = xen_vals[2] };
    uint64_t s[MAX_SAMPLES];
    unsigned long n = 1;
    unsigned int samples = SAMPLES;
    char arg[16];
    char rec[8192], num[5][32];
    int len;

    if (arg_get("samples", arg, sizeof(arg)))
        samples = MIN(MAX(simple_strtoul(arg, NULL, 10), 3UL), (unsigned long)MAX_SAMPLES);
    for (int i = 0; i < WARMUP; i++)
        time_batch(fn, ctx, n);
    while (n < MAX_BATCH && time_batch(fn, ctx, n) < BATCH_BUDGET)
        n *= 2;

    get_counters(&c0);
    for (unsigned int i = 0; i < samples; i++)
        time_batch(fn, ctx, 0);
    get_counters(&c1);
    for (unsigned int i = 0; i < samples; i++)
        s[i] = time_batch(fn, ctx, n);
    get_counters(&c2);

    /* The empty loop, same n, same number of samples. */
    uint64_t eb[MAX_SAMPLES];
    for (unsigned int i = 0; i < samples; i++)
        eb[i] = empty_batch(NULL, n);
    sort_u64(eb, samples);
    uint64_t emed = eb[samples / 2];
    uint64_t overhead = emed;                    /* per batch */

    sort_u64(s, samples);
    bool modes = multimodal(s, samples);
    uint64_t ops = (uint64_t)n * ops_per_iter;
    const unsigned int at[5] = { 0, samples / 10, samples / 2, samples * 9 / 10, samples - 1 };
    for (int k = 0; k < 5; k++) {
        uint64_t v = s[at[k]] > overhead ? s[at[k]] - overhead : 0;
        fmt_ratio(num[k], 32, v, ops);
    }
    char ovh[3][32], tsc[96] = "";
    fmt_ratio(ovh[0], sizeof(ovh[0]), emed, ops);
    fmt_ratio(ovh[1], sizeof(ovh[1]), eb[samples / 10], ops);
    fmt_ratio(ovh[2], sizeof(ovh[2]), eb[samples * 9 / 10], ops);
    bool timing = lab_info.mode == ASILAB_MODE_TIMING;
    if (timing)
        snprintf(tsc, sizeof(tsc), ",\"tsc_khz\":%lu,\"tsc_invariant\":%s",
                 lab_info.tsc_khz, lab_info.tsc_invariant ? "true" : "false");
    len = snprintf(rec, sizeof(rec),
        "@asilab {\"type\":\"result\",\"workload\":\"%s\",\"op\":\"%s\","
        "\"variant\":\"%s\",\"mode\":\"%s\",\"unit\":\"%s\",\"ops\":%lu,"
        "\"samples\":%d,\"min\":%s,\"p10\":%s,\"median\":%s,\"p90\":%s,"
        "\"max\":%s,\"overhead\":%s,\"overhead_p10\":%s,\"overhead_p90\":%s,"
        "\"overhead_subtracted\":true,\"multimodal\":%s%s,"
        "\"pcpu\":%u,\"domid\":%u,\"image\":\"%s\"%s%s%s",
        workload_name, op, lab_info.variant, timing ? "timing" : "deterministic",
        timing ? "tsc_ticks" : "insns", ops, samples,
        num[0], num[1], num[2], num[3], num[4], ovh[0], ovh[1], ovh[2],
        modes ? "true" : "false", tsc, lab_info.pcpu, lab_info.domid,
        lab_on_xen ? "xen" : lab_info.counters ? "counting" : "lean",
        lab_on_xen ? (xen_perfc_on ? ",\"events_source\":\"xen_perfc\""
                                   : ",\"events_unavailable\":\"") : "",
        lab_on_xen && !xen_perfc_on ? xen_perfc_why : "",
        lab_on_xen && !xen_perfc_on ? "\"" : "");
    if (lab_info.counters || xen_perfc_on) {
        len += snprintf(rec + len, sizeof(rec) - len, ",\"events\":{");
        len += fmt_events(rec + len, sizeof(rec) - len, &c0.here, &c1.here, &c2.here,
                          ops * samples);
        /* What the op caused on the other pCPUs (e.g. a remote flush's
         * tlb_flush), apart: each event is counted once, where it happens. */
        len += snprintf(rec + len, sizeof(rec) - len, "},\"remote_events\":{");
        len += fmt_events(rec + len, sizeof(rec) - len, &c0.remote, &c1.remote,
                          &c2.remote, ops * samples);
        len += snprintf(rec + len, sizeof(rec) - len, "}");
    }
    /* Every Xen counter that the op moves, by Xen's own names. */
    if (xen_perfc_on) {
        len += snprintf(rec + len, sizeof(rec) - len, ",\"xen_perfc\":{");
        len += xen_perfc_format(rec + len, sizeof(rec) - 2048 - len, c0.xv, c1.xv,
                                c2.xv, ops * samples);
        len += snprintf(rec + len, sizeof(rec) - len, "}");
    }
    /* Every sample's per-op value, sorted (overhead subtracted as above). */
    len += snprintf(rec + len, sizeof(rec) - len, ",\"values\":[");
    for (unsigned int i = 0; i < samples && len < (int)sizeof(rec) - 40; i++) {
        char v[32];
        fmt_ratio(v, sizeof(v), s[i] > overhead ? s[i] - overhead : 0, ops);
        len += snprintf(rec + len, sizeof(rec) - len, "%s%s", i ? "," : "", v);
    }
    len += snprintf(rec + len, sizeof(rec) - len, "]}\n");
    console_write(rec, MIN(len, (int)sizeof(rec) - 1));
}
