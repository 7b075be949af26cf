/* Guest-side PV MMU helpers (see mm.h).  As Xen's builder leaves it, pfn
 * p is at GUEST_VIRT_BASE + p * 4096 for the bootstrap mapping (kernel,
 * p2m list, start_info, page tables read-only at start_info->pt_base,
 * boot stack, then free pages up to its end); the domain's pages beyond
 * it are only in the p2m list, and page_alloc maps them at the same
 * place when it gets there, with L1 tables of its own.  The M2P
 * (machine_to_phys_mapping) turns a frame back into its pfn. */
#include "mm.h"

static unsigned long next_free;      /* va of the next page to hand out */
static unsigned long mapped_end;     /* end of what is mapped so far */
static unsigned long boot_end;       /* end of the builder's mapping */
static unsigned long scratch;        /* a page to zero new tables through */

static unsigned long pfn_va(unsigned long pfn)
{
    return GUEST_VIRT_BASE + pfn * PAGE_SIZE;
}

/* The M2P says, unless the guest told the hv otherwise for this frame
 * (MMU_MACHPHYS_UPDATE: the hostile workload does): then the p2m list. */
void *mfn_to_virt_guest(unsigned long mfn)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;
    unsigned long pfn = machine_to_phys_mapping[mfn];
    if (pfn < start_info->nr_pages && p2m[pfn] == mfn)
        return (void *)pfn_va(pfn);
    for (pfn = 0; pfn < start_info->nr_pages; pfn++)
        if (p2m[pfn] == mfn)
            return (void *)pfn_va(pfn);
    guest_panic("frame %#lx is not ours", mfn);
}

/* The table at `level` on va's walk, NULL if an entry above is absent. */
static const uint64_t *table_or_null(const void *va, int level)
{
    const uint64_t *tab = (const uint64_t *)start_info->pt_base;
    for (int l = 4; l > level; l--) {
        uint64_t e = tab[((unsigned long)va >> (12 + 9 * (l - 1))) & 511];
        if (!(e & PTE_P))
            return NULL;
        tab = mfn_to_virt_guest((e & 0x000ffffffffff000UL) >> 12);
    }
    return tab;
}

static const uint64_t *table_of(const void *va, int level)
{
    const uint64_t *tab = table_or_null(va, level);
    if (!tab)
        guest_panic("va %p not mapped above level %d", va, level);
    return tab;
}

static bool mapped(unsigned long va)
{
    const uint64_t *l1 = table_or_null((void *)va, 1);
    return l1 && (l1[(va >> 12) & 511] & PTE_P);
}

/* The builder's mapping ends where the first page after the boot stack
 * is unmapped (Xen: the stack's end rounded up to 4 MiB, 512 KiB spare). */
static void mm_init(void)
{
    if (next_free)
        return;
    next_free = start_info->pt_base + start_info->nr_pt_frames * PAGE_SIZE
                + PAGE_SIZE;                     /* the builder's boot stack */
    unsigned long end = pfn_va(start_info->nr_pages);
    for (mapped_end = next_free; mapped_end < end && mapped(mapped_end);)
        mapped_end += PAGE_SIZE;
    if (next_free >= mapped_end)
        guest_panic("no free page in the bootstrap mapping");
    boot_end = mapped_end;
    scratch = next_free;
    next_free += PAGE_SIZE;
}

/* Map the next pfn at mapped_end: its L1 first if there is none (a new
 * table: zeroed through the scratch page, read-only, then hooked into
 * the L2; if it is that pfn's own frame, the L1 maps itself read-only). */
static void map_next_pfn(void)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;
    unsigned long va = mapped_end, pfn = (va - GUEST_VIRT_BASE) >> PAGE_SHIFT;
    uint64_t flags = PTE_FLAGS_RW;
    const uint64_t *l2 = table_of((void *)va, 2);
    if (!(l2[(va >> 21) & 511] & PTE_P)) {
        uint64_t l1 = (uint64_t)p2m[pfn] << 12;
        if (HYPERVISOR_update_va_mapping(scratch, l1 | PTE_FLAGS_RW, UVMF_INVLPG))
            guest_panic("cannot map a new L1 at the scratch page");
        memset((void *)scratch, 0, PAGE_SIZE);
        if (HYPERVISOR_update_va_mapping(scratch, ((uint64_t)virt_to_mfn((void *)scratch) << 12) |
                                         PTE_FLAGS_RW, UVMF_INVLPG))
            guest_panic("cannot restore the scratch page");
        struct mmu_update u = { pte_maddr((void *)va, 2), l1 | PTE_FLAGS_RW };
        if (HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF))
            guest_panic("cannot install an L1 for %#lx", va);
        flags = PTE_FLAGS_RO;                    /* the L1 itself */
    }
    if (HYPERVISOR_update_va_mapping(va, ((uint64_t)p2m[pfn] << 12) | flags, UVMF_INVLPG))
        guest_panic("cannot map pfn %#lx at %#lx", pfn, va);
    mapped_end += PAGE_SIZE;
}

unsigned long pages_free(void)
{
    mm_init();
    unsigned long end = pfn_va(start_info->nr_pages);
    unsigned long beyond = (end - mapped_end) / PAGE_SIZE;
    return (mapped_end - next_free) / PAGE_SIZE + beyond - (beyond + 511) / 512;
}

void *page_alloc(void)
{
    mm_init();
    for (;;) {
        while (next_free >= mapped_end) {
            if (mapped_end >= pfn_va(start_info->nr_pages))
                guest_panic("out of guest pages");
            map_next_pfn();
        }
        /* Beyond the builder's mapping, a read-only page is an L1 of ours. */
        if (next_free < boot_end || (pte_read((void *)next_free, 1) & PTE_RW))
            break;
        next_free += PAGE_SIZE;
    }
    void *p = (void *)next_free;
    next_free += PAGE_SIZE;
    memset(p, 0, PAGE_SIZE);
    return p;
}

void *map_pfns(unsigned long nr)
{
    mm_init();
    if (nr > start_info->nr_pages)
        guest_panic("map_pfns(%lu): the domain has %lu pages", nr, start_info->nr_pages);
    while (mapped_end < pfn_va(nr))
        map_next_pfn();
    return (void *)GUEST_VIRT_BASE;
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
