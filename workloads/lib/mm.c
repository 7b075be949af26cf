/* Guest-side PV MMU helpers (see mm.h).  The bootstrap tables are mapped
 * read-only at start_info->pt_base; every own frame is mapped at
 * __image_start + pfn * 4096, and the p2m list says which frame is where. */
#include "mm.h"

extern char __image_start[];
static unsigned long next_free;

static unsigned long free_end(void)
{
    if (!next_free)
        next_free = start_info->pt_base + start_info->nr_pt_frames * PAGE_SIZE
                    + 4 * PAGE_SIZE;            /* the builder's boot stack */
    return (unsigned long)__image_start + start_info->nr_pages * PAGE_SIZE;
}

unsigned long pages_free(void)
{
    return (free_end() - next_free) / PAGE_SIZE;
}

void *page_alloc(void)
{
    unsigned long end = free_end();
    if (next_free >= end)
        guest_panic("out of guest pages");
    void *p = (void *)next_free;
    next_free += PAGE_SIZE;
    memset(p, 0, PAGE_SIZE);
    return p;
}

void *mfn_to_virt_guest(unsigned long mfn)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;
    for (unsigned long pfn = 0; pfn < start_info->nr_pages; pfn++)
        if (p2m[pfn] == mfn)
            return __image_start + pfn * PAGE_SIZE;
    guest_panic("frame %#lx is not ours", mfn);
}

static const uint64_t *table_of(const void *va, int level)
{
    const uint64_t *tab = (const uint64_t *)start_info->pt_base;
    for (int l = 4; l > level; l--) {
        uint64_t e = tab[((unsigned long)va >> (12 + 9 * (l - 1))) & 511];
        if (!(e & PTE_P))
            guest_panic("va %p not mapped at level %d", va, l);
        tab = mfn_to_virt_guest((e & 0x000ffffffffff000UL) >> 12);
    }
    return tab;
}

uint64_t pte_maddr(const void *va, int level)
{
    const uint64_t *tab = table_of(va, level);
    unsigned int idx = ((unsigned long)va >> (12 + 9 * (level - 1))) & 511;
    return ((uint64_t)virt_to_mfn(tab) << 12) + idx * 8;
}

uint64_t pte_read(const void *va, int level)
{
    return table_of(va, level)[((unsigned long)va >> (12 + 9 * (level - 1))) & 511];
}

long make_readonly(void *va)
{
    return HYPERVISOR_update_va_mapping((unsigned long)va,
                                        ((uint64_t)virt_to_mfn(va) << 12) | PTE_FLAGS_RO,
                                        UVMF_INVLPG);
}

long mmuext1(unsigned int cmd, unsigned long arg1, unsigned long arg2)
{
    struct mmuext_op op = { .cmd = cmd };
    op.arg1.linear_addr = arg1;
    op.arg2.vcpumask = (const void *)arg2;
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

long counters_get(struct asilab_counters *c)
{
    return HYPERVISOR_asilab_op(ASILAB_OP_get_counters, c);
}
