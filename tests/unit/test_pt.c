/* Host unit tests of the page-table helpers (hv/mm/pt.c), run unchanged
 * over 8 MiB of simulated physical memory (pa = offset into `ram`), with
 * table frames handed out by the real frame allocator (hv/mm/frame.c).
 *
 * Proves: pt_map_range + pt_translate round-trip every page (offsets kept,
 * pa low bits never leak into the flags) with USER/RW AND-ed and NX OR-ed
 * along the walk; unmapped addresses (missing at any level, or a leaf
 * without PRESENT) translate to ~0UL; exactly one new table per missing
 * level is allocated, so crossing a 2 MiB / 1 GiB / 512 GiB boundary
 * costs 1 / 2 / 3 extra tables and a random set of pages costs one table
 * per distinct L3/L2/L1 prefix; intermediate entries are the allocated
 * frame | table_flags; pt_walk without an allocator never allocates or
 * writes; a 2 MiB or 1 GiB superpage in the way makes pt_walk return NULL
 * and pt_map_range -1 without allocating, while pt_translate resolves the
 * offset inside it (ignoring the PAT bit); allocation failure midway gives
 * -1 and keeps what was mapped before; kernel-half addresses index the
 * right L4 slots (directmap = 262). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "mm.h"
#include "pt.h"
#include "layout.h"
#include "unit.h"

#define RAM_SIZE   (8UL << 20)
#define RAM_FRAMES (RAM_SIZE >> PAGE_SHIFT)
#define NONE       (~0UL)
#define KiB4       0x1000UL
#define MiB2       0x200000UL
#define GiB1       0x40000000UL
#define GiB512     0x8000000000UL

static unsigned char *ram;
static uint64_t ram_bitmap[RAM_FRAMES / 64];
static struct frame_allocator ram_fa;
static unsigned long nalloc;           /* successful allocator calls */
static long budget;                    /* allocations left; < 0 = unlimited */

/* What pt.c (via mm.h) reaches frames through. */
void *maddr_to_virt(paddr_t pa)
{
    if (pa >= RAM_SIZE) {
        fprintf(stderr, "%s: maddr_to_virt(0x%llx): outside simulated RAM\n",
                unit_cur_name ? unit_cur_name : "?", (unsigned long long)pa);
        abort();
    }
    return ram + pa;
}

static uint64_t test_alloc(void)
{
    if (budget == 0)
        return 0;
    unsigned long mfn = frames_alloc(&ram_fa, 1, 1);
    if (mfn == NONE)
        return 0;
    if (budget > 0)
        budget--;
    memset(ram + (mfn << PAGE_SHIFT), 0, PAGE_SIZE);
    nalloc++;
    return mfn;
}

/* Fresh RAM (full of garbage), fresh allocator, a zeroed root table. */
static paddr_t reset(void)
{
    memset(ram, 0xa5, RAM_SIZE);
    frames_init(&ram_fa, ram_bitmap, RAM_FRAMES);
    frames_add_range(&ram_fa, PAGE_SIZE, RAM_SIZE);   /* mfn 0 = failure */
    budget = -1;
    uint64_t root = test_alloc();
    REQUIRE(root);
    nalloc = 0;
    return root << PAGE_SHIFT;
}

static pte_t *table(paddr_t pa) { return maddr_to_virt(pa); }

/* pt_map_range with the test allocator. */
static int map(paddr_t root, uint64_t va, paddr_t pa, unsigned long nr,
               uint64_t flags, uint64_t table_flags)
{
    return pt_map_range(root, va, pa, nr, flags, test_alloc, table_flags);
}

static unsigned int present_entries(paddr_t tab)
{
    unsigned int n = 0;
    for (int i = 0; i < 512; i++)
        n += table(tab)[i] & _PAGE_PRESENT ? 1 : 0;
    return n;
}

#define LEAF_URW (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER)

static void test_map_translate_roundtrip(void)
{
    paddr_t root = reset();
    uint64_t va = 0x400000, pa = 0x123000, f = 0;
    CHECK_EQ(map(root, va, pa, 37, LEAF_URW, PAGE_GUEST_TABLE), 0);
    CHECK_EQ(nalloc, 3);
    for (unsigned long i = 0; i < 37; i++) {
        uint64_t off = (i * 0x123) & 0xfff;
        f = 0;
        CHECK_EQ(pt_translate(root, va + i * KiB4 + off, &f), pa + i * KiB4 + off);
        CHECK_EQ(f, LEAF_URW);
        pte_t *e = pt_walk(root, va + i * KiB4, 1, NULL, 0);
        REQUIRE(e);
        CHECK_EQ(*e, (pa + i * KiB4) | LEAF_URW);
    }
    CHECK_EQ(pt_translate(root, va - 1, &f), NONE);
    CHECK_EQ(pt_translate(root, va + 37 * KiB4, &f), NONE);
    CHECK_EQ(pt_translate(root, va + 5, NULL), pa + 5);   /* flags optional */
    /* Remapping the same range reuses the tables and overwrites leaves. */
    CHECK_EQ(map(root, va, 0x700000, 37, _PAGE_PRESENT, PAGE_GUEST_TABLE), 0);
    CHECK_EQ(nalloc, 3);
    CHECK_EQ(pt_translate(root, va + 36 * KiB4 + 7, &f), 0x700000 + 36 * KiB4 + 7);
    CHECK_EQ(f, _PAGE_PRESENT);
    /* Low bits of an unaligned pa are dropped, not OR-ed into the flags. */
    CHECK_EQ(map(root, va, 0x123fff, 1, _PAGE_PRESENT, PAGE_TABLE), 0);
    CHECK_EQ(pt_translate(root, va + 0x10, &f), 0x123010);
    CHECK_EQ(f, _PAGE_PRESENT);
    CHECK_EQ(*pt_walk(root, va, 1, NULL, 0), 0x123000 | _PAGE_PRESENT);
}

static void test_translate_flags_combined(void)
{
    paddr_t root = reset();
    uint64_t f;
    /* Tables without USER: USER is lost, RW kept. */
    CHECK_EQ(map(root, 0x1000, 0x5000, 1, LEAF_URW, PAGE_TABLE), 0);
    CHECK_EQ(pt_translate(root, 0x1000, &f), 0x5000);
    CHECK_EQ(f, _PAGE_PRESENT | _PAGE_RW);
    /* Guest tables, read-only leaf: USER kept, RW lost. */
    uint64_t va = 0x40000000000UL;
    CHECK_EQ(map(root, va, 0x6000, 2, _PAGE_PRESENT | _PAGE_USER, PAGE_GUEST_TABLE), 0);
    CHECK_EQ(pt_translate(root, va, &f), 0x6000);
    CHECK_EQ(f, _PAGE_PRESENT | _PAGE_USER);
    /* NX on the leaf alone; GLOBAL reported from the leaf only. */
    CHECK_EQ(map(root, va + 2 * KiB4, 0x8000, 1, LEAF_URW | _PAGE_NX | _PAGE_GLOBAL,
                 PAGE_GUEST_TABLE), 0);
    CHECK_EQ(pt_translate(root, va + 2 * KiB4, &f), 0x8000);
    CHECK_EQ(f, LEAF_URW | _PAGE_NX | _PAGE_GLOBAL);
    /* NX on an upper level reaches leaves that lack it; GLOBAL there does not. */
    pte_t *l3e = pt_walk(root, va, 3, NULL, 0);
    REQUIRE(l3e);
    *l3e |= _PAGE_NX | _PAGE_GLOBAL;
    CHECK_EQ(pt_translate(root, va + 1 * KiB4, &f), 0x7000);
    CHECK_EQ(f, _PAGE_PRESENT | _PAGE_USER | _PAGE_NX);
    /* RW cleared on the L2 entry: every leaf below turns read-only. */
    *l3e &= ~_PAGE_NX;
    pte_t *l2e = pt_walk(root, va, 2, NULL, 0);
    REQUIRE(l2e);
    *l2e &= ~_PAGE_RW;
    CHECK_EQ(pt_translate(root, va + 2 * KiB4, &f), 0x8000);
    CHECK_EQ(f, _PAGE_PRESENT | _PAGE_USER | _PAGE_NX | _PAGE_GLOBAL);
    /* USER cleared on the L4 entry. */
    table(root)[pt_index(va, 4)] &= ~_PAGE_USER;
    CHECK_EQ(pt_translate(root, va, &f), 0x6000);
    CHECK_EQ(f, _PAGE_PRESENT);
}

static void test_unmapped(void)
{
    paddr_t root = reset();
    uint64_t f, va = 0x7f0000200000UL;
    CHECK_EQ(pt_translate(root, 0, &f), NONE);
    CHECK_EQ(pt_translate(root, va, &f), NONE);
    CHECK_EQ(map(root, va, 0x9000, 1, LEAF_URW, PAGE_GUEST_TABLE), 0);
    CHECK_EQ(pt_translate(root, va, &f), 0x9000);
    CHECK_EQ(pt_translate(root, va + KiB4, &f), NONE);     /* no L1 entry */
    CHECK_EQ(pt_translate(root, va + MiB2, &f), NONE);     /* no L2 entry */
    CHECK_EQ(pt_translate(root, va + GiB1, &f), NONE);     /* no L3 entry */
    CHECK_EQ(pt_translate(root, va - GiB512, &f), NONE);   /* no L4 entry */
    /* A leaf without PRESENT is unmapped, whatever else it holds. */
    CHECK_EQ(map(root, va + KiB4, 0xa000, 1, _PAGE_RW | _PAGE_USER, PAGE_GUEST_TABLE), 0);
    CHECK_EQ(pt_translate(root, va + KiB4, &f), NONE);
    CHECK_EQ(nalloc, 3);
}

/* Map nr pages at va on a fresh root; return the number of new tables. */
static unsigned long tables_for(uint64_t va, unsigned long nr, paddr_t *rootp)
{
    paddr_t root = reset();
    CHECK_EQ(map(root, va, 0x100000, nr, LEAF_URW, PAGE_GUEST_TABLE), 0);
    for (unsigned long i = 0; i < nr; i++)
        CHECK_EQ(pt_translate(root, va + i * KiB4, NULL), 0x100000 + i * KiB4);
    if (rootp)
        *rootp = root;
    return nalloc;
}

static void test_boundary_table_counts(void)
{
    paddr_t root;
    CHECK_EQ(tables_for(0x1000, 1, NULL), 3);
    CHECK_EQ(tables_for(MiB2, 512, NULL), 3);           /* exactly one L1 */
    CHECK_EQ(tables_for(MiB2, 513, NULL), 4);
    CHECK_EQ(tables_for(MiB2 - KiB4, 2, NULL), 4);      /* 2 MiB boundary */
    CHECK_EQ(tables_for(GiB1 - KiB4, 2, NULL), 5);      /* 1 GiB boundary */
    CHECK_EQ(tables_for(GiB512 - KiB4, 2, &root), 6);   /* 512 GiB boundary */
    CHECK_EQ(present_entries(root), 2);
    CHECK(table(root)[0] & _PAGE_PRESENT);
    CHECK(table(root)[1] & _PAGE_PRESENT);
    /* Each intermediate entry is an allocated frame | table_flags. */
    pte_t *l4e = &table(root)[1];
    CHECK_EQ(*l4e & PTE_FLAGS_MASK, PAGE_GUEST_TABLE);
    paddr_t l3 = pte_addr(*l4e);
    CHECK(l3 > 0 && l3 < RAM_SIZE && l3 != root);
    CHECK_EQ(present_entries(l3), 1);
    CHECK_EQ(table(l3)[0] & PTE_FLAGS_MASK, PAGE_GUEST_TABLE);
    paddr_t l2 = pte_addr(table(l3)[0]);
    CHECK_EQ(present_entries(l2), 1);
    paddr_t l1 = pte_addr(table(l2)[0]);
    CHECK_EQ(present_entries(l1), 1);
    CHECK_EQ(table(l1)[0], (0x100000 + KiB4) | LEAF_URW);
}

static unsigned long distinct(const uint64_t *v, int n, int shift)
{
    unsigned long d = 0;
    for (int i = 0; i < n; i++) {
        int j = 0;
        while (j < i && v[j] >> shift != v[i] >> shift)
            j++;
        d += j == i;
    }
    return d;
}

static void test_random_pages(void)
{
    enum { N = 400 };
    static uint64_t va[N];
    paddr_t root = reset();
    for (int i = 0; i < N; i++) {
        /* Clustered: few L4 slots, some shared L3/L2/L1 tables. */
        uint64_t v = (unit_rng() % 3) << 39 | (unit_rng() % 4) << 30 |
                     (unit_rng() % 8) << 21 | (unit_rng() % 64) << 12;
        va[i] = v;
        CHECK_EQ(map(root, v, (uint64_t)i << 12, 1, LEAF_URW, PAGE_GUEST_TABLE), 0);
    }
    for (int i = 0; i < N; i++) {
        int last = i;                 /* a later map of the same va wins */
        for (int j = i + 1; j < N; j++)
            if (va[j] == va[i])
                last = j;
        CHECK_EQ(pt_translate(root, va[i] + 0x42, NULL), ((uint64_t)last << 12) + 0x42);
    }
    CHECK_EQ(nalloc, distinct(va, N, 39) + distinct(va, N, 30) + distinct(va, N, 21));
}

static void test_walk_without_alloc(void)
{
    paddr_t root = reset();
    uint64_t va = 0x12345678000UL;
    CHECK(pt_walk(root, va, 1, NULL, PAGE_TABLE) == NULL);
    CHECK(pt_walk(root, va, 2, NULL, PAGE_TABLE) == NULL);
    CHECK(pt_walk(root, va, 3, NULL, PAGE_TABLE) == NULL);
    CHECK_EQ(nalloc, 0);
    CHECK_EQ(present_entries(root), 0);
    for (int i = 0; i < 512; i++)
        CHECK_EQ(table(root)[i], 0);                     /* nothing written */
    CHECK(pt_walk(root, va, 4, NULL, 0) == &table(root)[pt_index(va, 4)]);
    /* With an allocator, walking to level 2 creates L3 and L2 only. */
    pte_t *l2e = pt_walk(root, va, 2, test_alloc, PAGE_TABLE);
    REQUIRE(l2e);
    CHECK_EQ(nalloc, 2);
    CHECK_EQ(*l2e, 0);                                   /* zeroed table */
    CHECK(pt_walk(root, va, 2, NULL, 0) == l2e);
    CHECK(pt_walk(root, va, 1, NULL, 0) == NULL);        /* still no L1 */
    CHECK_EQ(pt_map_range(root, va, 0xb000, 1, LEAF_URW, NULL, 0), -1);
    CHECK_EQ(nalloc, 2);
    CHECK_EQ(map(root, va, 0xb000, 1, LEAF_URW, PAGE_TABLE), 0);
    CHECK_EQ(nalloc, 3);
    pte_t *l1e = pt_walk(root, va, 1, NULL, 0);
    REQUIRE(l1e);
    CHECK_EQ(*l1e, 0xb000 | LEAF_URW);
    pte_t *next = pt_walk(root, va + KiB4, 1, NULL, 0);  /* same L1 table */
    CHECK(next == l1e + 1);
    CHECK_EQ(nalloc, 3);
}

static void test_superpage_2m(void)
{
    paddr_t root = reset();
    uint64_t f, va = 0x7fc0000000UL + 3 * MiB2;
    pte_t *l2e = pt_walk(root, va, 2, test_alloc, PAGE_GUEST_TABLE);
    REQUIRE(l2e);
    CHECK_EQ(nalloc, 2);
    /* 2 MiB page at 6 MiB, with the PAT bit (bit 12) set. */
    *l2e = 0x600000 | 0x1000 | _PAGE_PSE | LEAF_URW | _PAGE_NX;
    const pte_t saved = *l2e;
    CHECK(pt_walk(root, va + 0x5000, 1, test_alloc, PAGE_GUEST_TABLE) == NULL);
    CHECK(pt_walk(root, va, 1, NULL, 0) == NULL);
    CHECK_EQ(map(root, va + KiB4, 0xc000, 1, LEAF_URW, PAGE_GUEST_TABLE), -1);
    CHECK_EQ(nalloc, 2);                                 /* nothing allocated */
    CHECK_EQ(*l2e, saved);                               /* nor overwritten */
    CHECK(pt_walk(root, va, 2, NULL, 0) == l2e);         /* the entry itself */
    CHECK_EQ(pt_translate(root, va, &f), 0x600000);
    CHECK_EQ(pt_translate(root, va + 0x12345, &f), 0x612345);
    CHECK_EQ(pt_translate(root, va + MiB2 - 1, &f), 0x7fffff);
    CHECK_EQ(f, LEAF_URW | _PAGE_NX);
    /* The neighbouring 2 MiB region maps normally through the same L2. */
    CHECK_EQ(map(root, va + MiB2, 0xd000, 1, LEAF_URW, PAGE_GUEST_TABLE), 0);
    CHECK_EQ(nalloc, 3);
    CHECK_EQ(pt_translate(root, va + MiB2, &f), 0xd000);
    CHECK_EQ(f, LEAF_URW);
}

static void test_superpage_1g(void)
{
    paddr_t root = reset();
    uint64_t f, va = 5 * GiB1;
    pte_t *l3e = pt_walk(root, va, 3, test_alloc, PAGE_TABLE);
    REQUIRE(l3e);
    CHECK_EQ(nalloc, 1);
    *l3e = 0x80000000UL | 0x1000 | _PAGE_PSE | _PAGE_PRESENT | _PAGE_RW | _PAGE_GLOBAL;
    CHECK(pt_walk(root, va, 2, test_alloc, PAGE_TABLE) == NULL);
    CHECK(pt_walk(root, va + 0x3456000, 1, test_alloc, PAGE_TABLE) == NULL);
    CHECK_EQ(map(root, va, 0xe000, 4, _PAGE_PRESENT, PAGE_TABLE), -1);
    CHECK_EQ(nalloc, 1);
    CHECK_EQ(pt_translate(root, va + 0x3456789, &f), 0x83456789UL);
    CHECK_EQ(f, _PAGE_PRESENT | _PAGE_RW | _PAGE_GLOBAL);
    CHECK_EQ(pt_translate(root, va + GiB1, &f), NONE);
}

static void test_alloc_failure_midway(void)
{
    paddr_t root = reset();
    uint64_t va = 0x500000000000UL;               /* L4 slot 160 */
    budget = 1;                                          /* L3 only */
    CHECK_EQ(map(root, va, 0xf000, 1, LEAF_URW, PAGE_TABLE), -1);
    CHECK_EQ(nalloc, 1);
    CHECK_EQ(pt_translate(root, va, NULL), NONE);
    budget = -1;                                         /* L3 is reused */
    CHECK_EQ(map(root, va, 0xf000, 1, LEAF_URW, PAGE_TABLE), 0);
    CHECK_EQ(nalloc, 3);
    /* Across a 2 MiB boundary, the second L1 cannot be had. */
    uint64_t vb = 0x600000000000UL + MiB2 - 2 * KiB4; /* slot 192 */
    budget = 3;
    CHECK_EQ(map(root, vb, 0x20000, 4, LEAF_URW, PAGE_TABLE), -1);
    CHECK_EQ(nalloc, 6);
    CHECK_EQ(pt_translate(root, vb, NULL), 0x20000);
    CHECK_EQ(pt_translate(root, vb + KiB4, NULL), 0x21000);
    CHECK_EQ(pt_translate(root, vb + 2 * KiB4, NULL), NONE);
    /* Real exhaustion of simulated RAM: the allocator returns 0. */
    budget = -1;
    unsigned long left = ram_fa.free;
    int rc = 0;
    for (unsigned long i = 0; i <= left && !rc; i++)     /* one L1 per 2 MiB */
        rc = map(root, 0x700000000000UL + i * MiB2, 0, 1, LEAF_URW, PAGE_TABLE);
    CHECK_EQ(rc, -1);
    CHECK_EQ(ram_fa.free, 0);
    CHECK_EQ(pt_translate(root, va, NULL), 0xf000);       /* earlier maps intact */
}

static void test_high_addresses(void)
{
    CHECK_EQ(pt_index(DIRECTMAP_VIRT_START, 4), DIRECTMAP_FIRST_SLOT);
    CHECK_EQ(DIRECTMAP_FIRST_SLOT, 262);
    CHECK_EQ(pt_index(DIRECTMAP_VIRT_END - 1, 4), DIRECTMAP_LAST_SLOT);
    CHECK_EQ(pt_index(LINEAR_PT_VIRT_START, 4), LINEAR_PT_SLOT);
    CHECK_EQ(pt_index(PERDOMAIN_VIRT_START, 4), PERDOMAIN_SLOT);
    CHECK_EQ(pt_index(HV_VIRT_START, 4), HV_TEXT_SLOT);
    CHECK_EQ(pt_index(GUEST_HIGH_START, 4), HV_LAST_SLOT + 1);
    for (unsigned s = 256; s < 512; s++)
        CHECK_EQ(pt_index(L4_SLOT_VA(s), 4), s);

    paddr_t root = reset();
    uint64_t f, va = 0xffff830000000000UL;
    CHECK_EQ(map(root, va, 0x1000, 3, PAGE_HV_RW, PAGE_TABLE), 0);
    CHECK_EQ(present_entries(root), 1);
    CHECK(table(root)[262] & _PAGE_PRESENT);
    CHECK_EQ(pt_translate(root, va + 0x2abc, &f), 0x3abc);
    CHECK_EQ(f, _PAGE_PRESENT | _PAGE_RW | _PAGE_NX);
    CHECK_EQ(pt_translate(root, va & ~(1UL << 47), NULL), NONE);   /* not slot 6 */
    /* The hv image and the very top page of the address space. */
    CHECK_EQ(map(root, HV_VIRT_START + HV_LOAD_PHYS, HV_LOAD_PHYS, 2,
                 PAGE_HV_RX | _PAGE_GLOBAL, PAGE_TABLE), 0);
    CHECK(table(root)[261] & _PAGE_PRESENT);
    CHECK_EQ(pt_translate(root, HV_VIRT_START + HV_LOAD_PHYS + 0x1008, &f), HV_LOAD_PHYS + 0x1008);
    CHECK_EQ(f, _PAGE_PRESENT | _PAGE_GLOBAL);
    CHECK_EQ(map(root, 0xfffffffffffff000UL, 0x4000, 1, PAGE_HV_RO, PAGE_TABLE), 0);
    CHECK(table(root)[511] & _PAGE_PRESENT);
    CHECK_EQ(pt_translate(root, ~0UL, &f), 0x4fff);
    CHECK_EQ(f, _PAGE_PRESENT | _PAGE_NX);
    CHECK_EQ(present_entries(root), 3);
    CHECK_EQ(nalloc, 9);
}

int main(void)
{
    ram = aligned_alloc(PAGE_SIZE, RAM_SIZE);
    if (!ram)
        return 1;
    RUN(test_map_translate_roundtrip);
    RUN(test_translate_flags_combined);
    RUN(test_unmapped);
    RUN(test_boundary_table_counts);
    RUN(test_random_pages);
    RUN(test_walk_without_alloc);
    RUN(test_superpage_2m);
    RUN(test_superpage_1g);
    RUN(test_alloc_failure_midway);
    RUN(test_high_addresses);
    free(ram);
    return unit_summary();
}
