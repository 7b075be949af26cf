/* Host unit tests of workloads/lib/xen_perfc.h: how dom0 reads a perfc=y
 * Xen's XEN_SYSCTL_perfc_op answer as the lab's events.
 *
 * The table is laid out as Xen 4.17's perfc_copy_info writes it (its
 * description strings; plain counters one value per online pCPU, arrays
 * their elements), with counters before, between and after the mapped
 * ones.  Proves: the three mapped counters are found at their offsets,
 * whatever their order, and nothing else is mapped ("#IPIs" counts
 * receptions, not ipi_sent); a pCPU's values fold
 * into "here" and the others' into "remote"; a table whose counts do not
 * add up, a mapped counter without one value per pCPU, or a mapped name
 * twice is refused; a Xen without some of them maps the rest; names
 * become [a-z0-9_] keys (lowered, runs of other bytes one '_', none at the
 * ends, array index appended, an 80-byte name without a NUL read no
 * further, never past the buffer, no key when nothing is left or the
 * index does not fit). */
#include <stdbool.h>
#include <string.h>

#include "unit.h"
#include "../../workloads/lib/xen_perfc.h"

#define NCPU 2

static struct xen_perfc_desc tab[16];
static uint32_t ntab, nvals;

static void add(const char *name, uint32_t nr)
{
    memset(&tab[ntab], 0, sizeof(tab[ntab]));
    strncpy(tab[ntab].name, name, XEN_PERFC_NAME_LEN);
    tab[ntab++].nr_vals = nr;
    nvals += nr;
}

/* Xen 4.17's counters around the mapped ones (a 2-pCPU x86 build). */
static void xen417_table(void)
{
    ntab = nvals = 0;
    add("exceptions", 32);                        /* 0..31   */
    add("hypercalls", 64);                        /* 32..95  */
    add("calls from multicall", NCPU);            /* 96..97  */
    add("#interrupts", NCPU);                     /* 98..99  */
    add("#IPIs", NCPU);                           /* 100..101 */
    add("sched: runs through scheduler", NCPU);   /* 102..103 */
    add("sched: context switches", NCPU);         /* 104..105 */
    add("calls to mmuext_op", NCPU);              /* 106..107 */
    add("map_domain_page count", NCPU);           /* 108..109 */
    add("writable pt emulations", NCPU);          /* 110..111 */
    add("domain page tlb flushes", NCPU);         /* 112..113 */
    add("PG_need_flush tlb flushes", NCPU);       /* 114..115 */
}

static void maps_the_three(void)
{
    struct xen_perfc_map m;
    xen417_table();
    CHECK_EQ(xen_perfc_layout(tab, ntab, nvals, NCPU, &m), 3);
    CHECK(!xen_perfc_mapped(&m, EV_ipi_sent));
    CHECK_EQ(m.first[EV_ctx_switch], 104);
    CHECK_EQ(m.first[EV_mapcache_map], 108);
    CHECK_EQ(m.first[EV_mapcache_flush], 112);
    int n = 0;
    for (int e = 0; e < NR_ASILAB_EVENTS; e++)
        n += xen_perfc_mapped(&m, e);
    CHECK_EQ(n, 3);
    CHECK(!xen_perfc_mapped(&m, EV_cr3_load));
    CHECK(!xen_perfc_mapped(&m, EV_tlb_flush));    /* PG_need_flush is not all */
}

static void folds_here_and_remote(void)
{
    struct xen_perfc_map m;
    uint32_t v[128];
    struct asilab_counters here, remote;
    xen417_table();
    REQUIRE(xen_perfc_layout(tab, ntab, nvals, NCPU, &m) == 3);
    for (uint32_t i = 0; i < nvals; i++)
        v[i] = 1000 + i;
    memset(&here, 0xa5, sizeof(here));
    memset(&remote, 0xa5, sizeof(remote));
    xen_perfc_fold(&m, v, 1, &here, &remote);
    CHECK_EQ(here.ev[EV_ipi_sent], 0);            /* "#IPIs": not mapped */
    CHECK_EQ(here.ev[EV_ctx_switch], 1105);
    CHECK_EQ(remote.ev[EV_ctx_switch], 1104);
    CHECK_EQ(here.ev[EV_mapcache_flush], 1113);
    CHECK_EQ(here.ev[EV_cr3_load], 0);            /* unmapped: cleared */
    CHECK_EQ(remote.ev[EV_l4_copy], 0);
    xen_perfc_fold(&m, v, 0, &here, &remote);
    CHECK_EQ(here.ev[EV_ctx_switch], 1104);
    CHECK_EQ(remote.ev[EV_ctx_switch], 1105);
}

static void refuses_bad_tables(void)
{
    struct xen_perfc_map m;
    xen417_table();
    CHECK_EQ(xen_perfc_layout(tab, ntab, nvals + 1, NCPU, &m), -1);  /* short */
    CHECK_EQ(xen_perfc_layout(tab, ntab, nvals - 1, NCPU, &m), -1);  /* over */
    CHECK_EQ(xen_perfc_layout(tab, ntab, nvals, 3, &m), -1);  /* not one per pCPU */
    add("sched: context switches", NCPU);                     /* twice */
    CHECK_EQ(xen_perfc_layout(tab, ntab, nvals, NCPU, &m), -1);
    /* A hostile nr_vals cannot wrap the running offset. */
    xen417_table();
    tab[0].nr_vals = 0xffffffffu;
    CHECK_EQ(xen_perfc_layout(tab, ntab, nvals, NCPU, &m), -1);
}

static void maps_what_is_there(void)
{
    struct xen_perfc_map m;
    ntab = nvals = 0;
    add("exceptions", 32);
    add("sched: context switches", NCPU);
    add("map_domain_page count (more)", NCPU);     /* a longer name: not it */
    CHECK_EQ(xen_perfc_layout(tab, ntab, nvals, NCPU, &m), 1);
    CHECK_EQ(m.first[EV_ctx_switch], 32);
    CHECK(!xen_perfc_mapped(&m, EV_mapcache_map));
    ntab = nvals = 0;
    CHECK_EQ(xen_perfc_layout(tab, 0, 0, NCPU, &m), 0);
}

static void keys(void)
{
    char k[XEN_PERFC_KEY_MAX + 1];
    CHECK_EQ(xen_perfc_key("sched: context switches", -1, k, sizeof(k)), 22);
    CHECK(!strcmp(k, "sched_context_switches"));
    xen_perfc_key("#IPIs", -1, k, sizeof(k));
    CHECK(!strcmp(k, "ipis"));
    xen_perfc_key("hypercalls", 35, k, sizeof(k));
    CHECK(!strcmp(k, "hypercalls_35"));
    xen_perfc_key("PG_need_flush tlb flushes", -1, k, sizeof(k));
    CHECK(!strcmp(k, "pg_need_flush_tlb_flushes"));
    xen_perfc_key("  -- csched2: update_max_weight_quick!! ", -1, k, sizeof(k));
    CHECK(!strcmp(k, "csched2_update_max_weight_quick"));
    CHECK_EQ(xen_perfc_key("#*! \n\"\\", -1, k, sizeof(k)), 0);
    CHECK_EQ(k[0], 0);
    CHECK_EQ(xen_perfc_key("#*!", 3, k, sizeof(k)), 0);       /* no "_3" alone */
    /* 80 bytes, no NUL: read no further than XEN_PERFC_NAME_LEN. */
    char raw[XEN_PERFC_NAME_LEN + 8];
    memset(raw, 'a', sizeof(raw));
    raw[XEN_PERFC_NAME_LEN] = '\0';
    raw[XEN_PERFC_NAME_LEN + 1] = 'Z';
    size_t n = xen_perfc_key(raw, -1, k, sizeof(k));
    CHECK_EQ(n, XEN_PERFC_KEY_MAX);
    CHECK_EQ(strlen(k), XEN_PERFC_KEY_MAX);
    /* Small buffers: never past n, always terminated. */
    char s[8];
    memset(s, 'x', sizeof(s));
    CHECK_EQ(xen_perfc_key("abcdefghijkl", -1, s, 5), 4);
    CHECK(!strcmp(s, "abcd"));
    CHECK_EQ(s[5], 'x');
    CHECK_EQ(xen_perfc_key("abcdef", 12345, s, 8), 0);          /* index does not fit */
    CHECK_EQ(s[0], 0);
    CHECK_EQ(xen_perfc_key("ab", 7, s, 5), 4);
    CHECK(!strcmp(s, "ab_7"));
    CHECK_EQ(xen_perfc_key("ab", -1, s, 0), 0);
    CHECK_EQ(xen_perfc_key("ab cd", -1, s, 4), 2);              /* not "abc" */
    CHECK(!strcmp(s, "ab"));
}

int main(void)
{
    RUN(maps_the_three);
    RUN(folds_here_and_remote);
    RUN(refuses_bad_tables);
    RUN(maps_what_is_there);
    RUN(keys);
    return unit_summary();
}
