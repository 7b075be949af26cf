/* dom0's reading of a perfc=y Xen's performance counters through
 * XEN_SYSCTL_perfc_op (interface 0x15, Xen 4.17): the descriptor table
 * once, then every counter's values per snapshot; xen_perfc.h says
 * which counters are which lab event.  A Xen without perf counters
 * answers the sysctl with an error (-ENOSYS on 4.17): its records then
 * say why they carry no events. */
#include "guest.h"
#include "xen_perfc.h"

#define MAX_COUNTERS 512
#define MAX_VALS     4096

bool xen_perfc_on;
char xen_perfc_why[96] = "no lab hypercall on Xen";
static struct xen_perfc_desc descs[MAX_COUNTERS];
static uint32_t nr_counters, nr_vals;
static struct xen_perfc_map map;

/* struct xen_sysctl with its perfc_op member (public/sysctl.h). */
struct sysctl_perfc {
    uint32_t cmd, interface_version;
    union {
        struct {
            uint32_t cmd, nr_counters, nr_vals, pad;
            uint64_t desc, val;           /* XEN_GUEST_HANDLE_64 */
        } perfc;
        uint8_t pad[128];
    } u;
};

static long perfc_query(struct xen_perfc_desc *d, uint32_t *v, uint32_t *nc, uint32_t *nv)
{
    struct sysctl_perfc sc = {
        .cmd = XEN_SYSCTL_perfc_op, .interface_version = 0x15,
        .u.perfc = { .cmd = XEN_SYSCTL_PERFCOP_query,
                     .desc = (unsigned long)d, .val = (unsigned long)v },
    };
    long rc = HC(__HYPERVISOR_sysctl, &sc, 0, 0, 0, 0);
    *nc = sc.u.perfc.nr_counters;
    *nv = sc.u.perfc.nr_vals;
    return rc;
}

/* Whether Xen has perf counters this reader understands; else
 * xen_perfc_why says why not.  Called once, by lab_xen_info. */
void xen_perfc_init(void)
{
    static uint32_t v[MAX_VALS];
    uint32_t nc = 0, nv = 0;
    long rc = perfc_query(NULL, NULL, &nc, &nv);
    if (rc) {
        snprintf(xen_perfc_why, sizeof(xen_perfc_why),
                 "no lab hypercall, no perf counters on this Xen (perfc_op %ld)", rc);
        return;
    }
    if (nc > MAX_COUNTERS || nv > MAX_VALS) {
        snprintf(xen_perfc_why, sizeof(xen_perfc_why),
                 "Xen has %u perf counters with %u values, more than read here", nc, nv);
        return;
    }
    uint32_t nc2, nv2;
    rc = perfc_query(descs, v, &nc2, &nv2);
    if (rc || nc2 != nc || nv2 != nv ||
        xen_perfc_layout(descs, nc, nv, lab_info.nr_pcpus, &map) < 0) {
        snprintf(xen_perfc_why, sizeof(xen_perfc_why),
                 "Xen's perf counter table is not understood (perfc_op %ld)", rc);
        return;
    }
    nr_counters = nc;
    nr_vals = nv;
    xen_perfc_on = true;
}

/* Every counter's values now (nr_vals of them into v, MAX_VALS room). */
void xen_perfc_snapshot(uint32_t *v)
{
    uint32_t nc, nv;
    long rc = perfc_query(descs, v, &nc, &nv);
    if (rc || nc != nr_counters || nv != nr_vals)
        guest_panic("XEN_SYSCTL_perfc_op query failed: %ld", rc);
}

unsigned int xen_perfc_nr_vals(void)
{
    return nr_vals;
}

bool xen_perfc_has(int e)
{
    return xen_perfc_on && xen_perfc_mapped(&map, e);
}

void xen_perfc_counters(const uint32_t *v, struct asilab_counters *here,
                        struct asilab_counters *remote)
{
    xen_perfc_fold(&map, v, lab_info.pcpu, here, remote);
}

/* "key":per-op,... of every counter value that moved by more around
 * the ops than around the empty batches (a, b, c: the snapshots before
 * the empty batches, between, after the ops), plain counters summed
 * over the pCPUs; stops before n runs out. */
int xen_perfc_format(char *rec, size_t n, const uint32_t *a, const uint32_t *b,
                     const uint32_t *c, uint64_t div)
{
    int len = 0;
    uint32_t at = 0;
    for (uint32_t i = 0; i < nr_counters; i++) {
        /* Xen tells a plain counter from an array only by nr_vals (one
         * per pCPU): an array with as many elements as pCPUs reads as a
         * plain counter, its elements summed (none of Xen 4.17's has 1
         * to 8). */
        uint32_t elems = descs[i].nr_vals;
        bool plain = elems == map.nr_cpus;
        for (uint32_t k = 0; k < elems; k++) {
            uint64_t with = 0, without = 0;
            uint32_t from = at + k, to = at + k + 1;
            if (plain) {
                if (k)
                    break;
                to = at + elems;
            }
            for (uint32_t j = from; j < to; j++) {
                with += (uint32_t)(c[j] - b[j]);
                without += (uint32_t)(b[j] - a[j]);
            }
            if (with <= without)
                continue;
            char key[XEN_PERFC_KEY_MAX + 1], val[32];
            if (!xen_perfc_key(descs[i].name, plain ? -1 : (int)k, key, sizeof(key)))
                continue;
            fmt_ratio(val, sizeof(val), with - without, div);
            if ((size_t)len + strlen(key) + strlen(val) + 8 >= n)
                return len;
            len += snprintf(rec + len, n - len, "%s\"%s\":%s", len ? "," : "", key, val);
        }
        at += elems;
    }
    return len;
}
