/* The hv's own address space: the frame allocator instance, the frame
 * table, the directmap (slots 262-271) and idle_pg_table, the L4 whose
 * hv slots (256-271) every guest L4 carries too (slot 256: the read-only
 * M2P, hv/mm/m2p.c), and the per-pCPU copies of slot 261 that map one
 * pCPU's stack only (for strategies' roots). */
#include "config.h"
#include "console.h"
#include "lib.h"
#include "m2p.h"
#include "mm.h"
#include "pt.h"
#include "strategy.h"
#include "traps.h"
#include "x86.h"

struct frame_allocator hv_frames;
static uint64_t frame_bitmap[MAX_FRAMES / 64];
struct page_info *frame_table;
unsigned long max_mfn;
uint64_t idle_pg_table_maddr;

void *maddr_to_virt(paddr_t pa)
{
    return (void *)(DIRECTMAP_VIRT_START + pa);
}

paddr_t virt_to_maddr(const void *va)
{
    uint64_t a = (uint64_t)va;
    if (a >= HV_VIRT_START && a < HV_VIRT_START + (1UL << 30))
        return a - HV_VIRT_START;
    return a - DIRECTMAP_VIRT_START;
}

mfn_t alloc_frame(void)
{
    unsigned long mfn = frames_alloc(&hv_frames, 1, 1);
    if (mfn == ~0UL)
        return 0;
    memset(mfn_to_virt(mfn), 0, PAGE_SIZE);
    if (frame_table)
        frame_table[mfn] = (struct page_info){ .owner = DOMID_HV, .type = PGT_hv };
    return mfn;
}

void free_frame(mfn_t mfn)
{
    if (frame_table)
        frame_table[mfn] = (struct page_info){ .owner = DOMID_FREE };
    set_gpfn_from_mfn(mfn, ~0UL);            /* INVALID_M2P_ENTRY */
    frames_free(&hv_frames, mfn, 1);
}

void frames_boot_init(void);
void frames_boot_init(void)
{
    frames_init(&hv_frames, frame_bitmap, MAX_FRAMES);
}

/* After the memory map is known: the frame table, one entry per frame. */
void frame_table_init(unsigned long highest_mfn);
void frame_table_init(unsigned long highest_mfn)
{
    max_mfn = highest_mfn;
    unsigned long bytes = (max_mfn + 1) * sizeof(struct page_info);
    unsigned long nr = ROUNDUP(bytes, PAGE_SIZE) >> PAGE_SHIFT;
    unsigned long mfn = frames_alloc(&hv_frames, nr, 1);
    if (mfn == ~0UL)
        panic("no memory for the frame table");
    frame_table = mfn_to_virt(mfn);
    for (unsigned long i = 0; i <= max_mfn; i++)
        frame_table[i] = (struct page_info){ .owner = DOMID_HV, .type = PGT_hv };
    for (unsigned long i = 0; i <= max_mfn; i++) {
        bool used = hv_frames.bitmap[i / 64] >> (i % 64) & 1;
        if (!used)
            frame_table[i].owner = DOMID_FREE, frame_table[i].type = PGT_none;
    }
}

static void map_image(paddr_t l4, char *from, char *to, uint64_t flags)
{
    uint64_t va = (uint64_t)from;
    unsigned long nr = ((uint64_t)to - va) >> PAGE_SHIFT;
    if (pt_map_range(l4, va, va - HV_VIRT_START, nr, flags | _PAGE_GLOBAL,
                     alloc_frame, PAGE_TABLE))
        panic("cannot map the hv image");
}

/* Slots 256-271 of a guest L4 as in idle_pg_table, but 258 maps the L4
 * itself and 260 is the domain's per-domain L3 (strategies build on it). */
void stamp_hv_l4_slots(mfn_t l4, uint64_t *tab, mfn_t perdomain_l3)
{
    const uint64_t *idle = __va(idle_pg_table_maddr);
    for (unsigned int s = HV_FIRST_SLOT; s <= HV_LAST_SLOT; s++)
        tab[s] = idle[s];
    tab[LINEAR_PT_SLOT] = (l4 << PAGE_SHIFT) | PAGE_TABLE | _PAGE_NX;
    tab[PERDOMAIN_SLOT] = (perdomain_l3 << PAGE_SHIFT) | PAGE_TABLE;
}

/* Tables copied for one pCPU's stack slot (so far). */
static mfn_t stack_slot_copies[8];
static unsigned int nr_stack_slot_copies;

static mfn_t copy_table(mfn_t shared)
{
    mfn_t copy = alloc_frame();
    if (!copy || nr_stack_slot_copies == ARRAY_SIZE(stack_slot_copies))
        panic("no memory for a pCPU's stack slot");
    memcpy(mfn_to_virt(copy), mfn_to_virt(shared), PAGE_SIZE);
    return stack_slot_copies[nr_stack_slot_copies++] = copy;
}

static bool is_copy(mfn_t mfn)
{
    for (unsigned int i = 0; i < nr_stack_slot_copies; i++)
        if (stack_slot_copies[i] == mfn)
            return true;
    return false;
}

/* The L1 entry for va under this pCPU's copy l3: tables on the way that
 * are still shared with idle_pg_table are copied first. */
static pte_t *private_l1e(mfn_t l3, uint64_t va)
{
    pte_t *tab = mfn_to_virt(l3);
    for (int level = 3; level > 1; level--) {
        pte_t *e = &tab[pt_index(va, level)];
        mfn_t next = pte_addr(*e) >> PAGE_SHIFT;
        if (!is_copy(next)) {
            next = copy_table(next);
            *e = (next << PAGE_SHIFT) | (*e & PTE_FLAGS_MASK);
        }
        tab = mfn_to_virt(next);
    }
    return &tab[pt_index(va, 1)];
}

/* Slot 261 (the image and the stacks) as pCPU cpu alone may see it: a
 * copy of idle_pg_table's L3 where every other pCPU's stack block is
 * unmapped (only the tables on the way to them are copied).  For the
 * strategies whose roots map just the stack of the pCPU they run on;
 * each pCPU builds its own once, at boot, in turn. */
mfn_t build_private_stack_l3(unsigned int cpu)
{
    const uint64_t *idle = __va(idle_pg_table_maddr);
    nr_stack_slot_copies = 0;
    mfn_t l3 = copy_table(pte_addr(idle[HV_TEXT_SLOT]) >> PAGE_SHIFT);
    for (unsigned int other = 0; other < NR_CPUS; other++) {
        if (other == cpu)
            continue;
        for (unsigned long off = 0; off < STACK_SIZE; off += PAGE_SIZE)
            *private_l1e(l3, (uint64_t)cpu_stacks[other] + off) = 0;
    }
    return l3;
}

/* Whether the hv slots of a per-vCPU root are as built: as
 * stamp_hv_l4_slots stamps them for `root` with perdomain_l3, but slot
 * 261, which maps an online pCPU's private stack L3 (stack_l3[cpu]) or,
 * before the root's first load, the image's.  For the strategies' MMU
 * audits (the caller holds the audit lock: one scratch table). */
bool root_hv_slots_as_built(mfn_t root, mfn_t perdomain_l3, const mfn_t *stack_l3)
{
    static uint64_t want[512];
    const uint64_t *tab = mfn_to_virt(root);
    stamp_hv_l4_slots(root, want, perdomain_l3);
    bool hv_ok = true;
    for (unsigned int s = HV_FIRST_SLOT; s <= HV_LAST_SLOT; s++)
        hv_ok &= s == HV_TEXT_SLOT || tab[s] == want[s];
    bool stack_ok = tab[HV_TEXT_SLOT] == want[HV_TEXT_SLOT];
    for (unsigned int c = 0; c < nr_cpus_online; c++)
        stack_ok |= tab[HV_TEXT_SLOT] == ((stack_l3[c] << PAGE_SHIFT) | PAGE_TABLE);
    return hv_ok && stack_ok;
}

/* Take frame mfn out of the directmap, which keeps every other frame:
 * the 2 MiB superpage around it is split into 4 KiB entries first (an
 * L1 of the hv's; the directmap's L3s are shared by every root, so all
 * address spaces lose it at once).  The caller flushes the TLBs.  0, or
 * -1 without memory for the L1.  For +sparse's secret-free directmap. */
int directmap_hide_frame(mfn_t mfn)
{
    uint64_t va = (uint64_t)mfn_to_virt(mfn);
    pte_t *l2e = pt_walk(idle_pg_table_maddr, va, 2, NULL, 0);
    if (!l2e || !(*l2e & _PAGE_PRESENT))
        return 0;
    if (*l2e & _PAGE_PSE) {
        mfn_t l1 = alloc_frame();
        if (!l1)
            return -1;
        pte_t *t = mfn_to_virt(l1);
        paddr_t base = pte_addr(*l2e) & ~((1UL << 21) - 1);
        uint64_t flags = (*l2e & PTE_FLAGS_MASK) & ~_PAGE_PSE;
        for (unsigned int i = 0; i < 512; i++)
            t[i] = (base + ((paddr_t)i << PAGE_SHIFT)) | flags;
        *l2e = (l1 << PAGE_SHIFT) | PAGE_TABLE;
    }
    pte_t *l1t = mfn_to_virt(pte_addr(*l2e) >> PAGE_SHIFT);
    l1t[pt_index(va, 1)] = 0;
    return 0;
}

/* Build idle_pg_table and switch to it: the boot identity map goes. */
void paging_init(void);
void paging_init(void)
{
    mfn_t l4 = alloc_frame();
    if (!l4)
        panic("no memory for idle_pg_table");
    paddr_t l4pa = l4 << PAGE_SHIFT;
    uint64_t *tab = mfn_to_virt(l4);

    map_image(l4pa, _start, _etext, PAGE_HV_RX);
    map_image(l4pa, _etext, _erodata, PAGE_HV_RO);
    map_image(l4pa, _erodata, _end, PAGE_HV_RW);

    paddr_t ram_end = ROUNDUP((max_mfn + 1) << PAGE_SHIFT, 1UL << 21);
    for (paddr_t pa = 0; pa < ram_end; pa += 1UL << 21) {
        pte_t *e = pt_walk(l4pa, DIRECTMAP_VIRT_START + pa, 2, alloc_frame, PAGE_TABLE);
        if (!e)
            panic("cannot build the directmap");
        *e = pa | PAGE_HV_RW | _PAGE_PSE | _PAGE_GLOBAL;
    }
    m2p_init(l4pa);                  /* slot 256, read-only for guests */
    /* Every hv slot gets an L3 now, so guest L4s can share them. */
    for (unsigned int s = HV_FIRST_SLOT; s <= HV_LAST_SLOT; s++)
        if (s != LINEAR_PT_SLOT && !(tab[s] & _PAGE_PRESENT)) {
            mfn_t l3 = alloc_frame();
            if (!l3)
                panic("no memory for hv L3s");
            tab[s] = (l3 << PAGE_SHIFT) | PAGE_TABLE;
        }
    tab[LINEAR_PT_SLOT] = l4pa | PAGE_TABLE | _PAGE_NX;

    idle_pg_table_maddr = l4pa;
    raw_write_cr3(l4pa);
}
