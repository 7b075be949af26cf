/* 4-level x86-64 page-table helpers over frames reached through
 * maddr_to_virt(): the hv links them in, host tests run them on
 * simulated physical memory. */
#ifndef ASILAB_PT_H
#define ASILAB_PT_H
#include "types.h"

typedef uint64_t pte_t;
#define _PAGE_PRESENT  (1UL << 0)
#define _PAGE_RW       (1UL << 1)
#define _PAGE_USER     (1UL << 2)
#define _PAGE_PWT      (1UL << 3)
#define _PAGE_PCD      (1UL << 4)
#define _PAGE_ACCESSED (1UL << 5)
#define _PAGE_DIRTY    (1UL << 6)
#define _PAGE_PSE      (1UL << 7)
#define _PAGE_GLOBAL   (1UL << 8)
#define _PAGE_NX       (1UL << 63)
#define PTE_ADDR_MASK  0x000ffffffffff000UL
#define PTE_FLAGS_MASK (~PTE_ADDR_MASK)

#define PAGE_HV_RW   (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_NX)
#define PAGE_HV_RX   (_PAGE_PRESENT | _PAGE_ACCESSED)
#define PAGE_HV_RO   (_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_TABLE   (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PAGE_GUEST_TABLE (PAGE_TABLE | _PAGE_USER)

static inline unsigned int pt_index(uint64_t va, int level)
{
    return (va >> (12 + 9 * (level - 1))) & 511;
}
static inline paddr_t pte_addr(pte_t e) { return e & PTE_ADDR_MASK; }

/* Allocate a zeroed frame for a new table (returns mfn, 0 on failure). */
typedef uint64_t (*pt_alloc_fn)(void);

/* Return a pointer to the level-`level` entry for va below root (L4),
 * creating missing intermediate tables with table_flags when alloc is
 * non-NULL.  NULL if missing (and not created) or a superpage is in the
 * way. */
pte_t *pt_walk(paddr_t root, uint64_t va, int level, pt_alloc_fn alloc,
               uint64_t table_flags);
/* Map nr 4 KiB pages va -> pa.  0 on success, -1 on allocation failure
 * or a superpage in the way. */
int pt_map_range(paddr_t root, uint64_t va, paddr_t pa, unsigned long nr,
                 uint64_t flags, pt_alloc_fn alloc, uint64_t table_flags);
/* Translate va; returns the physical address or ~0 if unmapped; *flags
 * gets the AND of USER/RW and the OR of NX along the walk. */
paddr_t pt_translate(paddr_t root, uint64_t va, uint64_t *flags);

#endif
