/* memory_op: the sub-ops a PV guest uses to learn about memory (Xen's
 * common/memory.c do_memory_op, arch/x86/mm.c arch_memory_op and
 * x86_64/mm.c subarch_memory_op): the M2P's location and frames, the
 * highest machine frame, a domain's reservation and highest pfn, the
 * pseudo-physical and (dom0) the machine memory map.  asilab domains never grow or shrink, so
 * what changes memory (populate_physmap, decrease_reservation, ...) is
 * not here: unknown sub-ops are -ENOSYS. */
#include "boot.h"
#include "domain.h"
#include "hypercall.h"
#include "iomem.h"
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

/* Xen's memory_map_context: the caller's map, where the next entry goes
 * (n), the first frame not yet reported (s). */
struct map_ctxt {
    struct xen_memory_map map;
    unsigned int n;
    unsigned long s;
};

/* Xen's _handle_iomem_range for a range [s, e] dom0 may map: the frames
 * before it since the last one reported are reserved to dom0 (below
 * the physical address width only). */
static long report_hole(struct map_ctxt *c, unsigned long s, unsigned long e)
{
    if (s > c->s && !(s >> (paddr_bits - PAGE_SHIFT))) {
        if (c->map.buffer) {
            struct e820entry ent = { .addr = (uint64_t)c->s << PAGE_SHIFT,
                                     .size = (uint64_t)(s - c->s) << PAGE_SHIFT,
                                     .type = E820_RESERVED };
            if (c->n + 1 >= c->map.nr_entries)
                return -XEN_EINVAL;
            if (copy_to_guest(c->map.buffer + c->n * sizeof(ent), &ent, sizeof(ent)))
                return -XEN_EFAULT;
        }
        c->n++;
    }
    c->s = e + 1;
    return 0;
}

/* Xen's handle_iomem_range: an IO-APIC's page inside the range is
 * reported too (the hv drives it). */
static long handle_iomem_range(unsigned long s, unsigned long e, void *p)
{
    long err = 0;
    do {
        unsigned long low = ~0UL;
        for (unsigned int i = 0; i < nr_madt_ioapics; i++) {
            unsigned long mfn = madt_ioapic_addr[i] >> PAGE_SHIFT;
            if (mfn >= s && mfn <= e && mfn < low)
                low = mfn;
        }
        if (low == ~0UL)
            break;
        if (s < low)
            err = report_hole(p, s, low - 1);
        s = low + 1;
    } while (!err);
    return err || s > e ? err : report_hole(p, s, e);
}

/* XENMEM_machine_memory_map (Xen's arch_memory_op, XSM_PRIV: dom0
 * only): the hv's e820 as the loader gave it, and in the holes between
 * its entries reserved entries for what dom0's iomem_caps do not permit
 * (iomem.c: the local APIC, the IO-APICs, the MSI and HyperTransport
 * ranges). */
static long machine_memory_map(unsigned long arg)
{
    struct map_ctxt c = { .n = 0 };
    long rc;

    if (!is_control_domain(current->domain))
        return -XEN_EPERM;
    if (copy_from_guest(&c.map, arg, sizeof(c.map)))
        return -XEN_EFAULT;
    bool store = c.map.buffer != 0;
    if (store && c.map.nr_entries < nr_boot_e820 + 1)
        return -XEN_EINVAL;
    if (store && !guest_range_ok(c.map.buffer, (uint64_t)c.map.nr_entries *
                                 sizeof(struct e820entry)))
        return -XEN_EFAULT;
    for (unsigned int i = 0; i < nr_boot_e820; i++, c.n++) {
        unsigned long s = boot_e820[i].addr >> PAGE_SHIFT;
        if (s > c.s) {
            rc = iomem_report_ranges(c.s, s - 1, handle_iomem_range, &c);
            if (!rc)
                rc = handle_iomem_range(s, s, &c);
            if (rc)
                return rc;
        }
        if (store) {
            if (c.map.nr_entries <= c.n + (nr_boot_e820 - i))
                return -XEN_EINVAL;
            if (copy_to_guest(c.map.buffer + c.n * sizeof(struct e820entry),
                              &boot_e820[i], sizeof(struct e820entry)))
                return -XEN_EFAULT;
        }
        c.s = (boot_e820[i].addr + boot_e820[i].size + PAGE_SIZE - 1) >> PAGE_SHIFT;
    }
    if (c.s) {
        rc = iomem_report_ranges(c.s, ~0UL, handle_iomem_range, &c);
        if (!rc && c.s)
            rc = handle_iomem_range(~0UL, ~0UL, &c);
        if (rc)
            return rc;
    }
    c.map.nr_entries = c.n;
    return copy_to_guest(arg, &c.map, sizeof(c.map)) ? -XEN_EFAULT : 0;
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
    case XENMEM_machine_memory_map:
        return machine_memory_map(arg);
    default:
        return -XEN_ENOSYS;
    }
}
