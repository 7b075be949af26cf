/* The machine-to-phys table guests read at RO_MPT_VIRT_START
 * (hv/mm/m2p.c). */
#ifndef ASILAB_M2P_H
#define ASILAB_M2P_H
#include "types.h"

extern unsigned long *machine_to_phys_mapping;
/* Allocate it (INVALID_M2P_ENTRY everywhere) and map it into idle_l4's
 * slot 256, which every guest L4 and strategy root then carries. */
void m2p_init(paddr_t idle_l4);
void set_gpfn_from_mfn(mfn_t mfn, unsigned long pfn);
unsigned long get_gpfn_from_mfn(mfn_t mfn);
/* Its storage: nr 2 MiB extents of 512 contiguous frames. */
unsigned long m2p_nr_extents(void);
mfn_t m2p_extent_mfn(unsigned long i);

#endif
