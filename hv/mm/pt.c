/* Walking, building and translating 4-level page tables.  Frames are
 * reached through maddr_to_virt(), so host tests run this on simulated
 * physical memory. */
#include "pt.h"
#include "mm.h"

pte_t *pt_walk(paddr_t root, uint64_t va, int level, pt_alloc_fn alloc,
               uint64_t table_flags)
{
    pte_t *tab = maddr_to_virt(root);
    for (int l = 4; l > level; l--) {
        pte_t *e = &tab[pt_index(va, l)];
        if (!(*e & _PAGE_PRESENT)) {
            if (!alloc)
                return NULL;
            uint64_t mfn = alloc();
            if (!mfn)
                return NULL;
            *e = (mfn << PAGE_SHIFT) | table_flags;
        } else if (l <= 3 && (*e & _PAGE_PSE)) {
            return NULL;
        }
        tab = maddr_to_virt(pte_addr(*e));
    }
    return &tab[pt_index(va, level)];
}

int pt_map_range(paddr_t root, uint64_t va, paddr_t pa, unsigned long nr,
                 uint64_t flags, pt_alloc_fn alloc, uint64_t table_flags)
{
    for (unsigned long i = 0; i < nr; i++) {
        pte_t *e = pt_walk(root, va + i * PAGE_SIZE, 1, alloc, table_flags);
        if (!e)
            return -1;
        *e = ((pa + i * PAGE_SIZE) & PTE_ADDR_MASK) | flags;
    }
    return 0;
}

paddr_t pt_translate(paddr_t root, uint64_t va, uint64_t *flags)
{
    uint64_t f = _PAGE_USER | _PAGE_RW;
    pte_t *tab = maddr_to_virt(root);
    for (int l = 4; l >= 1; l--) {
        pte_t e = tab[pt_index(va, l)];
        if (!(e & _PAGE_PRESENT))
            return ~0UL;
        f &= e | ~(_PAGE_USER | _PAGE_RW);
        f |= e & _PAGE_NX;
        if (l == 1 || (l <= 3 && (e & _PAGE_PSE))) {
            uint64_t size = 1UL << (12 + 9 * (l - 1));
            if (flags)
                *flags = f | (e & (_PAGE_GLOBAL | _PAGE_PRESENT));
            return (pte_addr(e) & ~(size - 1)) | (va & (size - 1));
        }
        tab = maddr_to_virt(pte_addr(e));
    }
    return ~0UL;
}
