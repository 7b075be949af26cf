/* Guest-side PV MMU helpers: free pages, machine addresses of PTEs,
 * making a page read-only so it can become a table or descriptor page. */
#ifndef GUEST_MM_H
#define GUEST_MM_H
#include "guest.h"

#define PTE_P   0x1UL
#define PTE_RW  0x2UL
#define PTE_US  0x4UL
#define PTE_A   0x20UL
#define PTE_D   0x40UL
#define PTE_FLAGS_RW (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)
#define PTE_FLAGS_RO (PTE_P | PTE_US | PTE_A)

struct mmu_update { uint64_t ptr, val; };
#define MMU_NORMAL_PT_UPDATE 0
#define MMU_MACHPHYS_UPDATE  1          /* ptr: frame's address | 1, val: pfn */
#define UVMF_NONE      0UL
#define UVMF_TLB_FLUSH 1UL
#define UVMF_INVLPG    2UL
#define UVMF_ALL       4UL

static inline long HYPERVISOR_mmu_update(struct mmu_update *req, unsigned int count,
                                         unsigned int *done, unsigned int dom)
{ return HC(__HYPERVISOR_mmu_update, req, count, done, dom, 0); }
static inline long HYPERVISOR_update_va_mapping(unsigned long va, uint64_t val,
                                                unsigned long flags)
{ return HC(__HYPERVISOR_update_va_mapping, va, val, flags, 0, 0); }
static inline long HYPERVISOR_set_gdt(unsigned long *frames, unsigned int entries)
{ return HC(__HYPERVISOR_set_gdt, frames, entries, 0, 0, 0); }
static inline long HYPERVISOR_update_descriptor(uint64_t ma, uint64_t desc)
{ return HC(__HYPERVISOR_update_descriptor, ma, desc, 0, 0, 0); }

/* A zeroed page (mapped RW at its pfn's place): after the builder's boot
 * stack, then beyond its mapping, mapped on demand. */
void *page_alloc(void);
unsigned long pages_free(void);
/* Make sure pfns 0..nr-1 are all mapped (beyond the builder's mapping
 * the pages are mapped as page_alloc maps them); returns pfn 0's va. */
void *map_pfns(unsigned long nr);
/* Guest virtual address of an own frame (through the M2P). */
void *mfn_to_virt_guest(unsigned long mfn);
/* Machine address of the level-`level` entry that maps va. */
uint64_t pte_maddr(const void *va, int level);
/* Read the level-`level` entry that maps va. */
uint64_t pte_read(const void *va, int level);
/* Remap va read-only (so its frame can be typed as a table). */
long make_readonly(void *va);
long mmuext1(unsigned int cmd, unsigned long arg1, unsigned long arg2);
/* An own data frame and its va, for mapping games. */
long counters_get(struct asilab_counters *c);

#endif
