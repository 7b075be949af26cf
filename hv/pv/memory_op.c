/* memory_op: the sub-ops a PV guest uses to learn about memory (Xen's
 * common/memory.c do_memory_op, arch/x86/mm.c arch_memory_op and
 * x86_64/mm.c subarch_memory_op): the M2P's location and frames, the
 * highest machine frame, a domain's reservation and highest pfn, the
 * pseudo-physical memory map.  asilab domains never grow or shrink, so
 * what changes memory (populate_physmap, decrease_reservation, ...) is
 * not here: unknown sub-ops are -ENOSYS. */
#include "domain.h"
#include "hypercall.h"
#include "lib.h"
#include "m2p.h"
#include "mm.h"
#include "public/memory.h"
#include "traps.h"

/* Xen's rcu_lock_domain_by_any_id + XSM_TARGET: a domain may ask about
 * itself; domain 0 (privileged) about any domain. */
static long query_domain(unsigned long arg, struct domain **out)
{
    struct xen_memory_domain md;
    struct domain *me = current->domain;
    if (copy_from_guest(&md, arg, sizeof(md)))
        return -XEN_EFAULT;
    struct domain *d = md.domid == DOMID_SELF ? me : domain_by_id(md.domid);
    if (!d)
        return -XEN_ESRCH;
    if (d != me && me->domain_id != 0)
        return -XEN_EPERM;
    *out = d;
    return 0;
}

/* The first mfn of each 2 MiB extent of the M2P, up to max_extents. */
static long machphys_mfn_list(unsigned long arg)
{
    struct xen_machphys_mfn_list xmml;
    if (copy_from_guest(&xmml, arg, sizeof(xmml)))
        return -XEN_EFAULT;
    unsigned long i;
    for (i = 0; i != xmml.max_extents && i < m2p_nr_extents(); i++) {
        uint64_t mfn = m2p_extent_mfn(i);
        if (copy_to_guest(xmml.extent_start + i * sizeof(mfn), &mfn, sizeof(mfn)))
            return -XEN_EFAULT;
    }
    xmml.nr_extents = i;
    return copy_to_guest(arg, &xmml, sizeof(xmml)) ? -XEN_EFAULT : 0;
}

/* Xen gives max_mfn = max_page - 1 to the hardware domain, the table's
 * full reach to the others. */
static long machphys_mapping(unsigned long arg)
{
    struct xen_machphys_mapping m = {
        .v_start = RO_MPT_VIRT_START, .v_end = RO_MPT_VIRT_END,
        .max_mfn = (RO_MPT_VIRT_END - RO_MPT_VIRT_START) / sizeof(unsigned long) - 1,
    };
    if (current->domain->domain_id == 0)
        m.max_mfn = max_mfn;
    return copy_to_guest(arg, &m, sizeof(m)) ? -XEN_EFAULT : 0;
}

/* Xen answers with the map a toolstack set (XENMEM_set_memory_map), and
 * -ENOSYS ("backwards compatibility") while there is none: asilab has no
 * toolstack, so never a map; the guest then takes [0, nr_pages) as RAM,
 * as Linux does. */
static long memory_map(unsigned long arg)
{
    struct xen_memory_map map;
    if (copy_from_guest(&map, arg, sizeof(map)))
        return -XEN_EFAULT;
    return -XEN_ENOSYS;
}

long do_memory_op(unsigned long cmd, unsigned long arg, unsigned long a3,
                  unsigned long a4, unsigned long a5)
{
    unsigned long start_extent = cmd >> MEMOP_EXTENT_SHIFT;
    struct domain *d;
    long rc;

    switch (cmd & MEMOP_CMD_MASK) {
    case XENMEM_maximum_ram_page:
        return start_extent ? -XEN_EINVAL : (long)(max_mfn + 1);
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_maximum_gpfn:
        if (start_extent)
            return -XEN_EINVAL;
        if ((rc = query_domain(arg, &d)))
            return rc;
        if ((cmd & MEMOP_CMD_MASK) != XENMEM_maximum_gpfn)
            return d->nr_pages;           /* tot_pages == max_pages here */
        /* PV: from the max_pfn the guest keeps in shared_info. */
        {
            const struct shared_info *si = mfn_to_virt(d->shared_info_mfn);
            unsigned long max_pfn = ACCESS_ONCE(si->arch.max_pfn);
            return (long)((max_pfn ? max_pfn : 1) - 1);
        }
    }
    /* Xen's arch and subarch sub-ops match the whole cmd: with extent
     * bits set they are unknown. */
    switch (cmd) {
    case XENMEM_machphys_mfn_list:
        return machphys_mfn_list(arg);
    case XENMEM_machphys_mapping:
        return machphys_mapping(arg);
    case XENMEM_memory_map:
        return memory_map(arg);
    default:
        return -XEN_ENOSYS;
    }
}
