/* Xen's software performance counters as the lab's events.
 *
 * A Xen built with CONFIG_PERF_COUNTERS (perfc=y) lets dom0 read its
 * counters through XEN_SYSCTL_perfc_op (XEN_SYSCTL_PERFCOP_query): a
 * table of descriptors (Xen's description string, e.g. "sched: context
 * switches", and how many values it has) and one flat array of 32-bit
 * values.  A plain counter (PERFCOUNTER) has one value per online pCPU,
 * in pCPU order; an array (PERFCOUNTER_ARRAY, e.g. "hypercalls") its
 * elements, summed over the pCPUs (xen/common/perfc.c, perfc_copy_info).
 *
 * Three of Xen 4.17's counters count what one of the lab's events
 * counts, and become that event (the rest of the lab's events have no
 * Xen counter and are left out of a Xen record, never reported as 0):
 *   "sched: context switches"  -> ctx_switch (common/sched/core.c
 *                                 sched_context_switch: prev != next, idle
 *                                 included, as the hv's context_switch)
 *   "map_domain_page count"    -> mapcache_map   (arch/x86/domain_page.c:
 *                                 maps through the PV mapcache; 0 where
 *                                 the directmap covers all memory)
 *   "domain page tlb flushes"  -> mapcache_flush (its wrap flushes)
 * Not mapped: "#IPIs" counts IPIs *received* (arch/x86/smp.c, in the
 * flush, event-check and call-function handlers, on the target), where
 * the lab's ipi_sent counts them on the sender, one per target: the two
 * agree summed over the pCPUs, not per pCPU (a remote flush is Xen's
 * ipis 1 on the remote pCPU, asilab's ipi_sent 1 on the local one).  It
 * stays under its own name, "ipis", as do "page updates" (mmu_update's
 * only, where pte_write counts every PTE the hv writes) and the rest.
 * Plain counters fold into "here" (the value of the pCPU the reader runs
 * on) and "remote" (the sum over the others), as the lab hypercall's
 * get_counters and get_counters_remote.  Every counter, mapped or not,
 * is also reported under its own name made a safe key (xen_perfc_key).
 *
 * Header only (static inline), so tests/unit/test_xen_perfc.c drives it
 * on the host with Xen 4.17's table. */
#ifndef GUEST_XEN_PERFC_H
#define GUEST_XEN_PERFC_H
#include <stddef.h>
#include <stdint.h>
#include "public/asilab.h"

#define XEN_SYSCTL_perfc_op        5
#define XEN_SYSCTL_PERFCOP_query   2
#define XEN_PERFC_NAME_LEN         80
#define XEN_PERFC_KEY_MAX          64    /* the runner's ASILAB_NAME_MAX */

/* public/sysctl.h's xen_sysctl_perfc_desc. */
struct xen_perfc_desc {
    char name[XEN_PERFC_NAME_LEN];
    uint32_t nr_vals;
};

/* Xen's name of the counter that is each mapped event. */
static const struct xen_perfc_event {
    const char *xen;
    enum asilab_event ev;
} xen_perfc_events[] = {
    { "sched: context switches", EV_ctx_switch },
    { "map_domain_page count", EV_mapcache_map },
    { "domain page tlb flushes", EV_mapcache_flush },
};
#define NR_XEN_PERFC_EVENTS (sizeof xen_perfc_events / sizeof xen_perfc_events[0])

struct xen_perfc_map {
    uint32_t nr_cpus;                 /* values of a plain counter       */
    int32_t first[NR_ASILAB_EVENTS];  /* the event's first value, or -1  */
};

static inline int xen_perfc_streq(const char *a, const char *b, size_t n)
{
    size_t i = 0;
    for (; i < n && a[i] && a[i] == b[i]; i++)
        ;
    return i == n || a[i] == b[i];
}

/* Which values are which event, from the descriptor table (n entries,
 * nr_vals values in all, as the query said; nr_cpus: online pCPUs).
 * Returns the number of events mapped, or -1 if the table is not one
 * perfc_copy_info writes (its counts do not add up to nr_vals, or a
 * mapped counter has not one value per pCPU). */
static inline int xen_perfc_layout(const struct xen_perfc_desc *d, uint32_t n,
                                   uint32_t nr_vals, uint32_t nr_cpus,
                                   struct xen_perfc_map *m)
{
    uint64_t at = 0;
    int mapped = 0;
    m->nr_cpus = nr_cpus;
    for (int e = 0; e < NR_ASILAB_EVENTS; e++)
        m->first[e] = -1;
    for (uint32_t i = 0; i < n; i++) {
        for (size_t k = 0; k < NR_XEN_PERFC_EVENTS; k++) {
            if (!xen_perfc_streq(d[i].name, xen_perfc_events[k].xen, XEN_PERFC_NAME_LEN))
                continue;
            if (d[i].nr_vals != nr_cpus || m->first[xen_perfc_events[k].ev] >= 0)
                return -1;
            m->first[xen_perfc_events[k].ev] = (int32_t)at;
            mapped++;
        }
        at += d[i].nr_vals;
        if (at > nr_vals)
            return -1;
    }
    return at == nr_vals ? mapped : -1;
}

/* One query's values as counters: pCPU pcpu's into here, the others'
 * summed into remote; unmapped events 0 (xen_perfc_mapped says which). */
static inline void xen_perfc_fold(const struct xen_perfc_map *m, const uint32_t *vals,
                                  uint32_t pcpu, struct asilab_counters *here,
                                  struct asilab_counters *remote)
{
    for (int e = 0; e < NR_ASILAB_EVENTS; e++) {
        here->ev[e] = remote->ev[e] = 0;
        if (m->first[e] < 0)
            continue;
        for (uint32_t c = 0; c < m->nr_cpus; c++) {
            uint64_t v = vals[m->first[e] + c];
            if (c == pcpu)
                here->ev[e] += v;
            else
                remote->ev[e] += v;
        }
    }
}

static inline int xen_perfc_mapped(const struct xen_perfc_map *m, int e)
{
    return m->first[e] >= 0;
}

/* Xen's counter name as a key of [a-z0-9_]: letters lowered, every run
 * of other bytes one '_', none at either end ("sched: context switches"
 * -> "sched_context_switches", "#IPIs" -> "ipis"), and an array
 * element's index after a '_' (index < 0: a plain counter), at most n-1
 * bytes.  Returns the key's length, 0 if nothing of it is left. */
static inline size_t xen_perfc_key(const char *name, int index, char *out, size_t n)
{
    size_t len = 0;
    int gap = 0;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < XEN_PERFC_NAME_LEN && name[i] && len + 1 < n; i++) {
        char ch = name[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            if (gap && len) {
                if (len + 2 >= n)
                    break;                /* no room for '_' and a letter */
                out[len++] = '_';
            }
            gap = 0;
            out[len++] = ch;
        } else {
            gap = 1;
        }
    }
    if (len && index >= 0) {
        char d[12];
        int k = 0;
        unsigned int x = (unsigned int)index;
        do
            d[k++] = (char)('0' + x % 10);
        while ((x /= 10) && k < 11);
        if (len + 1 + (size_t)k + 1 > n)
            len = 0;                      /* no room: no key rather than a wrong one */
        else {
            out[len++] = '_';
            while (k)
                out[len++] = d[--k];
        }
    }
    out[len] = '\0';
    return len;
}

#endif
