/* Domain 0's I/O memory (Xen's iomem_caps of the hardware domain, set by
 * dom0_setup_permissions): the frames dom0 may map that are not RAM. */
#ifndef ASILAB_IOMEM_H
#define ASILAB_IOMEM_H
#include "types.h"

struct domain;

/* Built once at boot, after the memory map and the MADT are read. */
void iomem_init(void);
/* Xen's dom_io frames: no RAM of the e820, or in the first MiB. */
bool is_iomem_frame(mfn_t mfn);
/* May d map I/O frame mfn (Xen's iomem_access_permitted)? */
bool iomem_access_permitted(const struct domain *d, mfn_t mfn);
/* Xen's rangeset_report_ranges over dom0's iomem_caps: cb for each
 * permitted range meeting [s, e], clipped to it, in order; stops at the
 * first nonzero return. */
long iomem_report_ranges(unsigned long s, unsigned long e,
                         long (*cb)(unsigned long s, unsigned long e, void *ctxt), void *ctxt);
/* The CPU's physical address width (Xen's paddr_bits). */
extern unsigned int paddr_bits;
/* The MADT's IO-APICs (smpboot.c). */
#define MAX_IOAPICS 8
extern uint64_t madt_ioapic_addr[MAX_IOAPICS];
extern unsigned int nr_madt_ioapics;

#endif
