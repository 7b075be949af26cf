/* Host unit tests of the PV page-type rules (hv/mm/page.c), run unchanged
 * over 64 simulated frames, with page-table trees built by hand in frames
 * of domain 1 next to frames of domain 2 and of the hv.
 *
 * Proves: get_page refuses foreign/hv frames (-EPERM) and mfns past
 * max_mfn (-EINVAL); validation takes one reference per present entry (L1
 * RW: plus a writable type; L2-L4: a validated next-level table) and
 * refuses PSE / global / bits 52-62, foreign or hv frames, RW maps of
 * tables or descriptor pages, wrong levels and cycles with the exact error
 * and the whole frame_table as before (PGF_stale checked apart);
 * L4 slots 256-271 are skipped and stamped by strategy_init_guest_l4 once;
 * the last type reference releases the whole tree (shared subtrees stay)
 * and tells the strategy once per L4 (strategy_free_guest_l4; a failed
 * validation never does),
 * marks formerly writable frames stale, and their next table/descriptor
 * type flushes exactly once; mod_pt_entry refuses non-tables, foreign
 * tables and hv slots, swaps references and changes nothing on failure;
 * every present entry entering a validated table (pin, a table pulled in
 * by a higher level, single updates) gets _PAGE_USER, L4 entries also
 * _PAGE_ACCESSED (Xen's adjust_guest_l*e); check_descriptor follows Xen's 64-bit PV rules;
 * linear page tables (Xen's pv-linear-pt): a read-only L2-L4 entry to its
 * own table holds nothing, one to a validated table of the same level holds
 * a reference and a type reference and Xen's linear_pt_count on both ends,
 * writable ones, ones to other levels and chains (XSA-240) are -EINVAL, and
 * dropping them (update, devalidation) gives every count back; an L1
 * entry to I/O memory is -EPERM but where the domain's iomem_caps permit
 * it, and then holds no reference. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "domain_page.h"
#include "page.h"
#include "public/errno.h"
#include "unit.h"

#define NFRAMES  64UL
#define RAM_SIZE (NFRAMES << PAGE_SHIFT)
#define P        _PAGE_PRESENT
#define RW       _PAGE_RW
#define U        _PAGE_USER
#define STALE    PGF_stale
#define EINVAL_  (-XEN_EINVAL)
#define EPERM_   (-XEN_EPERM)
#define EBUSY_   (-XEN_EBUSY)
#define STAMP(s) (0xabc000UL | (s) | _PAGE_PRESENT)

/* ---- the environment page.c expects ---- */
struct page_info *frame_table;
unsigned long max_mfn;
static unsigned char ram[RAM_SIZE] __attribute__((aligned(4096)));
static uint64_t ram_bitmap[NFRAMES / 64];
static struct frame_allocator ram_fa;
static struct domain d1 = { .domain_id = 1 }, d2 = { .domain_id = 2 };
static int n_init_l4, n_free_l4, n_flush;
static mfn_t last_init_l4, last_free_l4;
static struct domain *last_flush_d;

void *maddr_to_virt(paddr_t pa)
{
    if (pa >= RAM_SIZE) {
        fprintf(stderr, "%s: maddr_to_virt(0x%llx): outside simulated RAM\n",
                unit_cur_name ? unit_cur_name : "?", (unsigned long long)pa);
        abort();
    }
    return ram + pa;
}

/* hv/mm/domain_page.c's discipline: every transient map page.c takes
 * (a table while it is validated or updated, an L1 entry it hands out)
 * is released, never more than MAPCACHE_VCPU_ENTRIES at once; reset()
 * and main() check none is left. */
static int maps_held, maps_max;
void *map_domain_page(mfn_t mfn)
{
    if (++maps_held > maps_max)
        maps_max = maps_held;
    return mfn_to_virt(mfn);
}
void unmap_domain_page(const void *va)
{
    (void)va;
    CHECK(maps_held > 0);
    maps_held--;
}

void strategy_init_guest_l4(struct domain *d, mfn_t l4, uint64_t *tab)
{
    CHECK(d == &d1 && tab == mfn_to_virt(l4));
    for (unsigned int s = HV_FIRST_SLOT; s <= HV_LAST_SLOT; s++)
        tab[s] = STAMP(s);
    n_init_l4++;
    last_init_l4 = l4;
}

/* Told when the L4 no longer is one: its references are already gone. */
void strategy_free_guest_l4(struct domain *d, mfn_t l4)
{
    CHECK(d == &d1 && !frame_table[l4].type_count);
    n_free_l4++;
    last_free_l4 = l4;
}

void page_flush_stale_tlbs(struct domain *d) { n_flush++; last_flush_d = d; }

/* I/O memory (hv/mm/iomem.c): every frame past the simulated RAM; d1
 * plays dom0, whose iomem_caps permit exactly IOMEM_OK. */
#define IOMEM_OK (NFRAMES + 1)
bool is_iomem_frame(mfn_t mfn) { return mfn >= NFRAMES; }
bool iomem_access_permitted(const struct domain *d, mfn_t mfn)
{
    return d == &d1 && mfn == IOMEM_OK;
}

/* ---- fixture ---- */
static struct page_info snap[NFRAMES];

static void reset(void)
{
    CHECK_EQ(maps_held, 0);          /* the previous test released its maps */
    CHECK(maps_max <= MAPCACHE_VCPU_ENTRIES);
    maps_held = 0;
    if (!frame_table)
        frame_table = malloc(NFRAMES * sizeof(*frame_table));   /* ASan-bounded */
    REQUIRE(frame_table);
    max_mfn = NFRAMES - 1;
    for (unsigned long i = 0; i < NFRAMES; i++)
        frame_table[i] = (struct page_info){ .owner = DOMID_FREE };
    memset(ram, 0xa5, RAM_SIZE);             /* unallocated frames: garbage */
    frames_init(&ram_fa, ram_bitmap, NFRAMES);
    frames_add_range(&ram_fa, PAGE_SIZE, RAM_SIZE);
    n_init_l4 = n_free_l4 = n_flush = 0, last_init_l4 = last_free_l4 = 0;
    last_flush_d = NULL;
}

/* A zeroed frame owned by `owner`. */
static mfn_t frame(uint16_t owner)
{
    unsigned long mfn = frames_alloc(&ram_fa, 1, 1);
    REQUIRE(mfn != ~0UL);
    memset(ram + (mfn << PAGE_SHIFT), 0, PAGE_SIZE);
    frame_table[mfn] = (struct page_info){
        .owner = owner, .type = owner == DOMID_HV ? PGT_hv : PGT_none };
    return mfn;
}

/* A frame of `owner` that already holds `type` with one type reference
 * and one general reference (as if something else validated it). */
static mfn_t typed_frame(uint16_t owner, unsigned int type)
{
    mfn_t m = frame(owner);
    frame_table[m] = (struct page_info){ .owner = owner, .type = type,
                                         .type_count = 1, .count = 1 };
    return m;
}

static pte_t *tab(mfn_t m) { return mfn_to_virt(m); }
static pte_t ent(mfn_t m, uint64_t flags) { return (m << PAGE_SHIFT) | flags; }

static void snapshot(void) { memcpy(snap, frame_table, sizeof(snap)); }

/* Every frame as at the last snapshot (PGF_stale ignored). */
static bool unchanged(void)
{
    bool ok = true;
    for (unsigned long i = 0; i < NFRAMES; i++) {
        struct page_info a = snap[i], b = frame_table[i];
        if (a.count != b.count || a.type_count != b.type_count || a.type != b.type ||
            a.owner != b.owner || a.pfn != b.pfn || (a.flags ^ b.flags) & PGF_pinned ||
            a.linear_pt_count != b.linear_pt_count) {
            fprintf(stderr, "  mfn %lu: type %u->%u type_count %u->%u count %u->%u"
                    " flags %u->%u owner %u->%u\n", i, a.type, b.type, a.type_count,
                    b.type_count, a.count, b.count, a.flags, b.flags, a.owner, b.owner);
            ok = false;
        }
    }
    return ok;
}

/* flags compared on PGF_pinned and PGF_stale; the stale type bits are
 * checked where they matter. */
#define FLAG_BITS (PGF_pinned | PGF_stale)
#define CHECK_FRAME(m, t, tc, c, f) do {                                  \
        CHECK_EQ(frame_table[m].type, t); CHECK_EQ(frame_table[m].type_count, tc); \
        CHECK_EQ(frame_table[m].count, c);                                \
        CHECK_EQ(frame_table[m].flags & FLAG_BITS, (f) & FLAG_BITS);      \
    } while (0)
#define MOD(t, i, v) mod_pt_entry(&d1, t, i, v, &lvl)   /* needs an int lvl */
#define CHECK_UNUSED(m) do {                                              \
        CHECK_EQ(frame_table[m].type, PGT_none); CHECK_EQ(frame_table[m].type_count, 0); \
        CHECK_EQ(frame_table[m].count, 0); CHECK_EQ(frame_table[m].flags & PGF_pinned, 0); \
    } while (0)

/* Put `bad` in entry idx of table t, expect validating t as `type` to
 * fail with rc and change nothing, then clear the entry again. */
#define CHECK_REJECT(t, type, idx, bad, rc) do {                          \
        tab(t)[idx] = (bad);                                              \
        snapshot();                                                       \
        CHECK_EQ(get_page_and_type(t, &d1, type), rc);                    \
        CHECK(unchanged());                                               \
        tab(t)[idx] = 0;                                                  \
    } while (0)

/* L4[0] -> L3[0] -> L2[0] -> L1: [0] RW -> rw, [1] RO -> ro. */
struct tree { mfn_t l4, l3, l2, l1, rw, ro; };
static struct tree mk_tree(void)
{
    struct tree t;
    t.l4 = frame(1); t.l3 = frame(1); t.l2 = frame(1); t.l1 = frame(1);
    t.rw = frame(1); t.ro = frame(1);
    tab(t.l4)[0] = ent(t.l3, P | RW | U); tab(t.l3)[0] = ent(t.l2, P | RW | U);
    tab(t.l2)[0] = ent(t.l1, P | RW | U); tab(t.l1)[0] = ent(t.rw, P | RW | U);
    tab(t.l1)[1] = ent(t.ro, P | U);
    return t;
}

/* ---- tests ---- */

static void test_get_page(void)
{
    reset();
    mfn_t own = frame(1), other = frame(2), hv = frame(DOMID_HV);
    snapshot();
    CHECK_EQ(get_page(other, &d1), EINVAL_); CHECK_EQ(get_page(hv, &d1), EINVAL_);
    CHECK_EQ(get_page(max_mfn + 1, &d1), EINVAL_);
    CHECK_EQ(get_page(~0UL, &d1), EINVAL_);
    CHECK(unchanged());
    CHECK_EQ(get_page(own, &d1), 0); CHECK_FRAME(own, PGT_none, 0, 1, 0);
    CHECK_EQ(get_page(own, &d1), 0); CHECK_FRAME(own, PGT_none, 0, 2, 0);
    put_page(own); CHECK_FRAME(own, PGT_none, 0, 1, 0);
    CHECK_EQ(get_page(other, &d2), 0);            /* d2 may use its own */
    frame_table[max_mfn].owner = 1;               /* the last frame exists */
    CHECK_EQ(get_page(max_mfn, &d1), 0);
    frame_table[own].count = 0x7ffffffe;          /* no overflow */
    CHECK_EQ(get_page(own, &d1), 0); CHECK_EQ(get_page(own, &d1), EINVAL_);
    CHECK_EQ(get_page_type(own, &d1, PGT_writable), 0);
    frame_table[own].type_count = 0x7ffffffe;
    CHECK_EQ(get_page_type(own, &d1, PGT_writable), 0);
    CHECK_EQ(get_page_type(own, &d1, PGT_writable), EINVAL_);
    CHECK_FRAME(own, PGT_writable, 0x7fffffff, 0x7fffffff, 0);
}

static void test_l1_validation(void)
{
    reset();
    mfn_t l1 = frame(1), a = frame(1), b = frame(1), l2 = typed_frame(1, PGT_l2);
    tab(l1)[0] = ent(a, P | RW | U); tab(l1)[1] = ent(b, P | U);
    tab(l1)[2] = ent(a, P | RW);
    tab(l1)[3] = ent(l2, P | _PAGE_NX | _PAGE_PSE);   /* RO map of a table; PAT ok */
    tab(l1)[4] = ent(l1, P);                          /* RO self-map */
    tab(l1)[5] = 0xfffffffffffffffeUL;                /* not present: ignored */
    CHECK_EQ(get_page_and_type(l1, &d1, PGT_l1), 0);
    CHECK_FRAME(l1, PGT_l1, 1, 2, 0); CHECK_FRAME(a, PGT_writable, 2, 2, 0);
    CHECK_FRAME(b, PGT_none, 0, 1, 0); CHECK_FRAME(l2, PGT_l2, 1, 2, 0);
    CHECK_EQ(get_page_type(l1, &d1, PGT_l2), EINVAL_);   /* type conflict */
    CHECK_EQ(get_page_type(l1, &d1, PGT_l1), 0);         /* no revalidation */
    put_page_type(l1, &d1); CHECK_FRAME(a, PGT_writable, 2, 2, 0);
    put_page_and_type(l1, &d1); CHECK_UNUSED(l1); CHECK_UNUSED(b);
    CHECK_FRAME(a, PGT_none, 0, 0, STALE); CHECK_FRAME(l2, PGT_l2, 1, 1, 0);
    CHECK_EQ(n_flush, 0);
}

static void test_l1_rejects(void)
{
    reset();
    mfn_t l1 = frame(1), a = frame(1), b = frame(1), other = frame(2);
    mfn_t hv = frame(DOMID_HV), w = typed_frame(1, PGT_writable);
    mfn_t tl1 = typed_frame(1, PGT_l1), tl2 = typed_frame(1, PGT_l2);
    mfn_t tl3 = typed_frame(1, PGT_l3), tl4 = typed_frame(1, PGT_l4);
    mfn_t sd = typed_frame(1, PGT_seg_desc);
    tab(l1)[0] = ent(a, P | RW); tab(l1)[1] = ent(b, P);
    tab(l1)[2] = ent(a, P | RW | U); tab(l1)[3] = ent(w, P | RW);
    CHECK_REJECT(l1, PGT_l1, 4, ent(tl1, P | RW), EBUSY_);
    CHECK_REJECT(l1, PGT_l1, 4, ent(tl2, P | RW), EBUSY_);
    CHECK_REJECT(l1, PGT_l1, 4, ent(tl3, P | RW), EBUSY_);
    CHECK_REJECT(l1, PGT_l1, 4, ent(tl4, P | RW), EBUSY_);
    CHECK_REJECT(l1, PGT_l1, 4, ent(sd, P | RW | U), EBUSY_);
    CHECK_REJECT(l1, PGT_l1, 4, ent(l1, P | RW), EBUSY_);   /* itself */
    CHECK_REJECT(l1, PGT_l1, 4, ent(other, P), EBUSY_);
    CHECK_REJECT(l1, PGT_l1, 4, ent(hv, P), EBUSY_);
    CHECK_REJECT(l1, PGT_l1, 4, ent(NFRAMES, P), EPERM_);
    CHECK_REJECT(l1, PGT_l1, 4, ent(b, P | _PAGE_GLOBAL), EINVAL_);
    CHECK_REJECT(l1, PGT_l1, 4, ent(b, P | (1UL << 52)), EINVAL_);
    CHECK_REJECT(l1, PGT_l1, 4, ent(b, P | (1UL << 62)), EINVAL_);
    CHECK_FRAME(a, PGT_none, 0, 0, STALE);   /* its writable type came and went */
    CHECK_FRAME(w, PGT_writable, 1, 1, 0);
    /* Control: the same table with a harmless entry 4 validates. */
    tab(l1)[4] = ent(tl3, P | _PAGE_NX);
    CHECK_EQ(get_page_and_type(l1, &d1, PGT_l1), 0);
    CHECK_FRAME(a, PGT_writable, 2, 2, STALE);
    CHECK_FRAME(w, PGT_writable, 2, 2, 0); CHECK_FRAME(tl3, PGT_l3, 1, 2, 0);
    CHECK_EQ(get_page_and_type(l1, &d2, PGT_l1), EINVAL_);  /* not d2's */
    CHECK_EQ(n_flush, 0);
}

static void test_lx_rejects(void)
{
    reset();
    mfn_t other = frame(2), hv = frame(DOMID_HV), w = typed_frame(1, PGT_writable);
    mfn_t tl1 = typed_frame(1, PGT_l1), tl2 = typed_frame(1, PGT_l2), data = frame(1);
    /* L2: [0], [1] -> the same empty L1; a bad entry 2. */
    mfn_t l2 = frame(1), l1 = frame(1), badl1 = frame(1);
    tab(badl1)[9] = ent(data, P | _PAGE_GLOBAL);
    tab(l2)[0] = ent(l1, P | RW | U); tab(l2)[1] = ent(l1, P | U);
    CHECK_REJECT(l2, PGT_l2, 2, ent(l1, P | _PAGE_PSE), EINVAL_);
    CHECK_REJECT(l2, PGT_l2, 2, ent(l1, P | _PAGE_GLOBAL), EINVAL_);
    CHECK_REJECT(l2, PGT_l2, 2, ent(l1, P | (1UL << 55)), EINVAL_);
    CHECK_REJECT(l2, PGT_l2, 2, ent(tl2, P | RW), EINVAL_);      /* an L2 */
    CHECK_REJECT(l2, PGT_l2, 2, ent(w, P), EINVAL_);             /* writable */
    CHECK_REJECT(l2, PGT_l2, 2, ent(l2, P | RW), EINVAL_);       /* itself */
    CHECK_REJECT(l2, PGT_l2, 2, ent(badl1, P), EINVAL_);         /* bad L1 */
    CHECK_REJECT(l2, PGT_l2, 2, ent(other, P), EINVAL_);
    CHECK_REJECT(l2, PGT_l2, 2, ent(hv, P), EINVAL_);
    CHECK_REJECT(l2, PGT_l2, 2, ent(NFRAMES + 1, P), EINVAL_);
    CHECK_UNUSED(l1);
    /* L3: [0] -> L2 -> L1 [0] RW -> data; a bad entry 3. */
    mfn_t l3 = frame(1), l2b = frame(1), l1b = frame(1);
    tab(l1b)[0] = ent(data, P | RW); tab(l2b)[0] = ent(l1b, P | RW);
    tab(l3)[0] = ent(l2b, P | RW);
    CHECK_REJECT(l3, PGT_l3, 3, ent(l2, P | RW | _PAGE_PSE), EINVAL_);
    CHECK_REJECT(l3, PGT_l3, 3, ent(tl1, P | RW), EINVAL_);      /* an L1 */
    CHECK_REJECT(l3, PGT_l3, 3, ent(l3, P | RW), EINVAL_);       /* itself */
    CHECK_REJECT(l3, PGT_l3, 3, ent(other, P | RW), EINVAL_);
    CHECK_FRAME(data, PGT_none, 0, 0, STALE);
    /* L4: [0] -> that L3; an L3 entry back to the L4 is a cycle. */
    mfn_t l4 = frame(1);
    tab(l4)[0] = ent(l3, P | RW);
    CHECK_REJECT(l3, PGT_l3, 1, ent(l4, P | RW), EINVAL_);  /* l4 as L2 -> l3 */
    tab(l3)[1] = ent(l4, P | RW);
    CHECK_REJECT(l4, PGT_l4, 0, ent(l3, P | RW), EINVAL_);
    tab(l3)[1] = 0; tab(l4)[0] = ent(l3, P | RW);
    CHECK_REJECT(l4, PGT_l4, 1, ent(l4, P | RW), EINVAL_);       /* itself */
    CHECK_REJECT(l4, PGT_l4, 255, ent(l3, P | RW | _PAGE_PSE), EINVAL_);
    CHECK_REJECT(l4, PGT_l4, 272, ent(other, P), EINVAL_);
    CHECK_REJECT(l4, PGT_l4, 300, ent(l3, P | (1UL << 62)), EINVAL_);
    CHECK_REJECT(l4, PGT_l4, 511, ent(tl2, P), EINVAL_);
    CHECK_EQ(n_init_l4, 0);
    /* A failure deep in the tree unwinds every level. */
    struct tree t = mk_tree();
    tab(t.l1)[7] = ent(other, P);
    snapshot();
    CHECK_EQ(get_page_and_type(t.l4, &d1, PGT_l4), EBUSY_);
    CHECK(unchanged());
    CHECK_FRAME(t.rw, PGT_none, 0, 0, STALE); CHECK_EQ(n_init_l4, 0);
    CHECK_EQ(n_free_l4, 0);                  /* never an L4 to the strategy */
    tab(t.l1)[7] = 0;
    CHECK_EQ(get_page_and_type(t.l4, &d1, PGT_l4), 0);   /* control */
    CHECK_EQ(n_init_l4, 1);
}

static void test_l4_slots(void)
{
    reset();
    mfn_t l4 = frame(1), a = frame(1), b = frame(1), c = frame(1);
    mfn_t other = frame(2), l3 = frame(1);
    tab(l4)[255] = ent(a, P | RW | U); tab(l4)[272] = ent(b, P | RW | U);
    tab(l4)[511] = ent(c, P | RW | U);
    tab(l4)[256] = ent(other, P);                         /* would be -EPERM */
    tab(l4)[260] = ent(a, P | _PAGE_PSE | _PAGE_GLOBAL);  /* would be -EINVAL */
    tab(l4)[271] = ent(l4, P | RW);                       /* would be a cycle */
    CHECK_EQ(get_page_and_type(l4, &d1, PGT_l4), 0);
    CHECK_FRAME(l4, PGT_l4, 1, 1, 0); CHECK_FRAME(a, PGT_l3, 1, 1, 0);
    CHECK_FRAME(b, PGT_l3, 1, 1, 0); CHECK_FRAME(c, PGT_l3, 1, 1, 0);
    CHECK_UNUSED(other);
    CHECK_EQ(n_init_l4, 1); CHECK_EQ(last_init_l4, l4);
    int lvl = 0;
    for (unsigned int s = HV_FIRST_SLOT; s <= HV_LAST_SLOT; s++) {
        CHECK_EQ(tab(l4)[s], STAMP(s));
        snapshot();
        CHECK_EQ(MOD(l4, s, 0), EINVAL_);
        CHECK_EQ(MOD(l4, s, ent(l3, P | RW)), EINVAL_);
        CHECK_EQ(tab(l4)[s], STAMP(s));
        CHECK(unchanged());
    }
    CHECK_EQ(MOD(l4, 255, ent(l3, P | RW)), 0);
    CHECK_EQ(lvl, 4);
    CHECK_UNUSED(a); CHECK_FRAME(l3, PGT_l3, 1, 1, 0);
    CHECK_EQ(get_page_type(l4, &d1, PGT_l4), 0);   /* 1 -> 2: no re-init */
    CHECK_EQ(n_init_l4, 1);
    put_page_type(l4, &d1);                        /* 2 -> 1: still an L4 */
    CHECK_EQ(n_free_l4, 0);
    put_page_and_type(l4, &d1);                    /* 256-271 skipped */
    CHECK_UNUSED(l4); CHECK_UNUSED(l3); CHECK_UNUSED(b); CHECK_UNUSED(c);
    CHECK_UNUSED(other); CHECK_EQ(n_init_l4, 1);
    CHECK_EQ(n_free_l4, 1); CHECK_EQ(last_free_l4, l4);
}

static void test_devalidate_tree(void)
{
    reset();
    struct tree t = mk_tree();
    snapshot();
    CHECK_EQ(get_page_and_type(t.l4, &d1, PGT_l4), 0);
    CHECK_FRAME(t.l4, PGT_l4, 1, 1, 0); CHECK_FRAME(t.l3, PGT_l3, 1, 1, 0);
    CHECK_FRAME(t.l2, PGT_l2, 1, 1, 0); CHECK_FRAME(t.l1, PGT_l1, 1, 1, 0);
    CHECK_FRAME(t.rw, PGT_writable, 1, 1, 0); CHECK_FRAME(t.ro, PGT_none, 0, 1, 0);
    put_page_and_type(t.l4, &d1);
    CHECK(unchanged());                          /* all back to 0 */
    CHECK_UNUSED(t.l4); CHECK_UNUSED(t.l1); CHECK_UNUSED(t.ro);
    CHECK_FRAME(t.rw, PGT_none, 0, 0, STALE);
    /* An L1 also held by something else survives the L4. */
    CHECK_EQ(get_page_and_type(t.l4, &d1, PGT_l4), 0);
    CHECK_EQ(get_page_and_type(t.l1, &d1, PGT_l1), 0);
    CHECK_EQ(get_page(t.ro, &d1), 0);
    put_page_and_type(t.l4, &d1);
    CHECK_UNUSED(t.l4); CHECK_UNUSED(t.l3); CHECK_UNUSED(t.l2);
    CHECK_FRAME(t.l1, PGT_l1, 1, 1, STALE);       /* stale as an L1: retaken as one */
    CHECK_FRAME(t.rw, PGT_writable, 1, 1, STALE);
    CHECK_FRAME(t.ro, PGT_none, 0, 2, 0);
    put_page_and_type(t.l1, &d1); put_page(t.ro);
    CHECK(unchanged());
    CHECK_EQ(n_init_l4, 2);
    CHECK_EQ(n_free_l4, 2);                      /* the L4 twice, nothing else */
    CHECK_EQ(n_flush, 0);                        /* nothing stale retyped */
}

static void test_stale_writable(void)
{
    reset();
    struct tree t = mk_tree();
    mfn_t l1 = frame(1), x = frame(1), y = frame(1);
    tab(l1)[0] = ent(x, P | RW); tab(l1)[1] = ent(y, P | RW);
    CHECK_EQ(get_page_and_type(l1, &d1, PGT_l1), 0);
    put_page_and_type(l1, &d1);
    CHECK_FRAME(x, PGT_none, 0, 0, STALE); CHECK_FRAME(y, PGT_none, 0, 0, STALE);
    /* Writable again: no flush, still stale afterwards. */
    CHECK_EQ(get_page_type(x, &d1, PGT_writable), 0);
    put_page_type(x, &d1);
    CHECK_EQ(n_flush, 0); CHECK_FRAME(x, PGT_none, 0, 0, STALE);
    /* A page-table type: exactly one flush, flag cleared. */
    CHECK_EQ(get_page_type(x, &d1, PGT_l1), 0);
    CHECK_EQ(n_flush, 1); CHECK(last_flush_d == &d1);
    CHECK_FRAME(x, PGT_l1, 1, 0, 0);
    CHECK_EQ(get_page_type(x, &d1, PGT_l1), 0);
    put_page_type(x, &d1); put_page_type(x, &d1);
    CHECK_EQ(n_flush, 1); CHECK_FRAME(x, PGT_none, 0, 0, STALE);
    CHECK_EQ(frame_table[x].flags >> PGF_STALE_TYPE_SHIFT & 7, PGT_l1);
    CHECK_EQ(get_page_type(x, &d1, PGT_l1), 0);     /* the same type: no flush */
    put_page_type(x, &d1); CHECK_EQ(n_flush, 1);
    CHECK_EQ(get_page_type(x, &d1, PGT_l2), 0);     /* another type: a flush */
    put_page_type(x, &d1); CHECK_EQ(n_flush, 2); CHECK_UNUSED(x);
    /* A descriptor page, likewise. */
    CHECK_EQ(get_page_type(y, &d1, PGT_seg_desc), 0);
    CHECK_EQ(n_flush, 3); CHECK_FRAME(y, PGT_seg_desc, 1, 0, 0);
    put_page_type(y, &d1); CHECK_UNUSED(y);
    /* A stale frame met deep inside a tree's validation. */
    CHECK_EQ(get_page_and_type(t.l4, &d1, PGT_l4), 0);
    put_page_and_type(t.l4, &d1); tab(t.l1)[0] = 0;
    tab(t.l3)[5] = ent(t.rw, P | RW);                 /* rw becomes an L2 */
    CHECK_EQ(get_page_and_type(t.l3, &d1, PGT_l3), 0);
    CHECK_EQ(n_flush, 4); CHECK(last_flush_d == &d1);
    CHECK_FRAME(t.rw, PGT_l2, 1, 1, 0);
}

static void test_shared_subtree(void)
{
    reset();
    struct tree t = mk_tree();
    mfn_t l4b = frame(1);
    tab(l4b)[1] = ent(t.l3, P | RW | U);
    snapshot();
    CHECK_EQ(get_page_and_type(t.l4, &d1, PGT_l4), 0);
    CHECK_EQ(get_page_and_type(l4b, &d1, PGT_l4), 0);
    CHECK_EQ(n_init_l4, 2);
    CHECK_FRAME(t.l3, PGT_l3, 2, 2, 0); CHECK_FRAME(t.l2, PGT_l2, 1, 1, 0);
    put_page_and_type(t.l4, &d1);
    CHECK_UNUSED(t.l4); CHECK_FRAME(t.l3, PGT_l3, 1, 1, 0);
    CHECK_FRAME(t.l2, PGT_l2, 1, 1, 0); CHECK_FRAME(t.l1, PGT_l1, 1, 1, 0);
    CHECK_FRAME(t.rw, PGT_writable, 1, 1, 0); CHECK_FRAME(t.ro, PGT_none, 0, 1, 0);
    put_page_and_type(l4b, &d1);
    CHECK(unchanged());
}

/* An L1 entry to I/O memory: only where the domain's iomem_caps permit
 * (else -EPERM), with no reference held, so validating, updating and
 * devalidating the table leave every frame as it was. */
static void test_iomem(void)
{
    reset();
    int lvl = -1;
    mfn_t l1 = frame(1), l1b = frame(2), a = frame(1);
    CHECK_REJECT(l1, PGT_l1, 0, ent(NFRAMES, P | RW), EPERM_);
    tab(l1b)[0] = ent(IOMEM_OK, P);
    snapshot();
    CHECK_EQ(get_page_and_type(l1b, &d2, PGT_l1), EPERM_);   /* a domU */
    CHECK(unchanged());
    tab(l1)[0] = ent(IOMEM_OK, P | RW | _PAGE_PCD);
    tab(l1)[1] = ent(a, P | RW);
    CHECK_EQ(get_page_and_type(l1, &d1, PGT_l1), 0);
    CHECK_FRAME(l1, PGT_l1, 1, 1, 0); CHECK_FRAME(a, PGT_writable, 1, 1, 0);
    snapshot();
    CHECK_EQ(MOD(l1, 2, ent(IOMEM_OK, P)), 0);
    CHECK_EQ(MOD(l1, 3, ent(NFRAMES, P)), EPERM_);
    CHECK_EQ(MOD(l1, 2, 0), 0);
    CHECK_EQ(MOD(l1, 0, ent(a, P)), 0);                      /* I/O out, RAM in */
    CHECK_FRAME(a, PGT_writable, 1, 2, 0);
    CHECK_EQ(MOD(l1, 0, ent(IOMEM_OK, P)), 0);               /* and back */
    CHECK(unchanged());
    put_page_and_type(l1, &d1);
    CHECK_UNUSED(l1); CHECK_FRAME(a, PGT_none, 0, 0, STALE);
}

static void test_mod_pt_entry(void)
{
    reset();
    int lvl = -1;
    mfn_t data = frame(1), w = typed_frame(1, PGT_writable), idle = frame(1);
    mfn_t sd = typed_frame(1, PGT_seg_desc), foreign = typed_frame(2, PGT_l1);
    mfn_t other = frame(2), a = frame(1), l1 = frame(1), l1b = frame(1), l2 = frame(1);
    frame_table[idle].type = PGT_l1;                 /* a type without refs */
    tab(l1)[0] = ent(a, P | RW | U); tab(l2)[0] = ent(l1, P | RW | U);
    tab(l2)[1] = ent(l1b, P | RW | U); tab(l1b)[3] = ent(data, P);
    CHECK_EQ(get_page_and_type(l2, &d1, PGT_l2), 0);
    snapshot();
    CHECK_EQ(MOD(data, 0, 0), EINVAL_); CHECK_EQ(MOD(w, 0, 0), EINVAL_);
    CHECK_EQ(MOD(sd, 0, 0), EINVAL_); CHECK_EQ(MOD(idle, 0, 0), EINVAL_);
    CHECK_EQ(MOD(foreign, 0, 0), EINVAL_);
    CHECK_EQ(mod_pt_entry(&d2, l2, 0, 0, &lvl), EINVAL_);
    CHECK_EQ(MOD(NFRAMES, 0, 0), EINVAL_); CHECK_EQ(MOD(l1, 512, 0), EINVAL_);
    /* Failing replacements keep the old entry and all counts. */
    pte_t old = tab(l1)[0];
    CHECK_EQ(MOD(l1, 0, ent(other, P)), EBUSY_);
    CHECK_EQ(MOD(l1, 0, ent(a, P | RW | _PAGE_GLOBAL)), EINVAL_);
    CHECK_EQ(MOD(l1, 0, ent(l1, P | RW)), EBUSY_);    /* itself */
    CHECK_EQ(MOD(l1, 0, ent(l2, P | RW)), EBUSY_);    /* its L2 */
    CHECK_EQ(MOD(l2, 0, ent(a, P | RW)), EINVAL_);     /* writable */
    CHECK_EQ(MOD(l2, 0, ent(l2, P | RW)), EINVAL_);    /* itself */
    CHECK_EQ(MOD(l2, 0, ent(l1, P | _PAGE_PSE)), EINVAL_);
    CHECK_EQ(tab(l1)[0], old); CHECK_EQ(tab(l2)[0], ent(l1, P | RW | U));
    CHECK(unchanged());
    /* L1: RW -> RO releases the writable type; USER is forced on. */
    CHECK_EQ(MOD(l1, 0, ent(a, P)), 0);
    CHECK_EQ(lvl, 1); CHECK_EQ(tab(l1)[0], ent(a, P | U));
    CHECK_FRAME(a, PGT_none, 0, 1, STALE);
    CHECK_EQ(MOD(l1, 1, ent(l1, P)), 0);   /* RO self-map */
    CHECK_FRAME(l1, PGT_l1, 1, 2, 0);
    CHECK_EQ(MOD(l1, 1, RW), 0);           /* not present */
    CHECK_EQ(tab(l1)[1], RW);                                  /* kept as is */
    CHECK_FRAME(l1, PGT_l1, 1, 1, 0);
    CHECK_EQ(MOD(l1, 0, ent(a, P | RW)), 0);
    CHECK_FRAME(a, PGT_writable, 1, 1, STALE);
    CHECK_EQ(tab(l1)[0], ent(a, P | RW | U));
    /* L2: [0] l1 -> l1b (l1, no longer referenced, is devalidated). */
    CHECK_EQ(MOD(l2, 0, ent(l1b, P | RW)), 0);
    CHECK_EQ(lvl, 2); CHECK_EQ(tab(l2)[0], ent(l1b, P | RW | U));
    CHECK_UNUSED(l1); CHECK_FRAME(a, PGT_none, 0, 0, STALE);
    CHECK_FRAME(l1b, PGT_l1, 2, 2, 0); CHECK_FRAME(data, PGT_none, 0, 1, 0);
    CHECK_EQ(MOD(l2, 1, 0), 0);            /* still in [0] */
    CHECK_FRAME(l1b, PGT_l1, 1, 1, 0);
    CHECK_EQ(MOD(l2, 0, 0), 0);
    CHECK_UNUSED(l1b); CHECK_UNUSED(data); CHECK_FRAME(l2, PGT_l2, 1, 1, 0);
}

/* Xen's adjust_guest_l[1-4]e: every present entry that enters a
 * validated table, whichever way, is user-accessible (L4 entries also
 * accessed); not-present entries and the hv slots stay as they are. */
static void test_user_adjust(void)
{
    reset();
    int lvl;
    struct tree t = mk_tree();
    mfn_t data = frame(1), l1b = frame(1), l2b = frame(1);
    tab(t.l4)[0] = ent(t.l3, P | RW);          /* no U, no A anywhere */
    tab(t.l3)[0] = ent(t.l2, P | RW);
    tab(t.l2)[0] = ent(t.l1, P | RW);
    tab(t.l1)[0] = ent(t.rw, P | RW);
    tab(t.l1)[1] = ent(t.ro, P);
    tab(t.l1)[2] = 0x123456789abcdef0UL & ~P;  /* not present: untouched */
    CHECK_EQ(get_page_and_type(t.l4, &d1, PGT_l4), 0);          /* pin-time validation */
    CHECK_EQ(tab(t.l4)[0], ent(t.l3, P | RW | U | _PAGE_ACCESSED));
    CHECK_EQ(tab(t.l3)[0], ent(t.l2, P | RW | U));
    CHECK_EQ(tab(t.l2)[0], ent(t.l1, P | RW | U));
    CHECK_EQ(tab(t.l1)[0], ent(t.rw, P | RW | U));
    CHECK_EQ(tab(t.l1)[1], ent(t.ro, P | U));
    CHECK_EQ(tab(t.l1)[2], 0x123456789abcdef0UL & ~P);
    CHECK_EQ(tab(t.l4)[HV_FIRST_SLOT], STAMP(HV_FIRST_SLOT));
    /* A table pulled in by a higher-level update: its entries too. */
    tab(l1b)[5] = ent(data, P | RW);
    tab(l2b)[6] = ent(l1b, P);
    CHECK_EQ(MOD(t.l3, 1, ent(l2b, P | RW)), 0);
    CHECK_EQ(tab(t.l3)[1], ent(l2b, P | RW | U));
    CHECK_EQ(tab(l2b)[6], ent(l1b, P | U));
    CHECK_EQ(tab(l1b)[5], ent(data, P | RW | U));
    /* mmu_update / update_va_mapping of single entries, every level. */
    CHECK_EQ(MOD(t.l1, 3, ent(data, P)), 0);
    CHECK_EQ(tab(t.l1)[3], ent(data, P | U));
    CHECK_EQ(MOD(t.l4, 2, ent(t.l3, P)), 0);
    CHECK_EQ(tab(t.l4)[2], ent(t.l3, P | U | _PAGE_ACCESSED));
    CHECK_EQ(MOD(t.l1, 3, 0), 0);
    CHECK_EQ(tab(t.l1)[3], 0);
}

#define D(hi, lo) ((uint64_t)(hi) << 32 | (uint32_t)(lo))

static void test_descriptors(void)
{
    static const struct { uint64_t in; int rc; uint64_t out; } c[] = {
        { 0, 0, 0 },
        { D(0x00cf1a00, 0xffff), 0, D(0x00cf1a00, 0xffff) },   /* not present */
        { D(0x00000900, 0x0067), 0, D(0x00000900, 0x0067) },   /* n.p. TSS */
        /* Code/data: DPL 3 and the accessed bit (the window is RO). */
        { D(0x00cf9a00, 0xffff), 0, D(0x00cffb00, 0xffff) },   /* code DPL0 */
        { D(0x00cf9200, 0xffff), 0, D(0x00cff300, 0xffff) },   /* data DPL0 */
        { D(0x00cfb300, 0xffff), 0, D(0x00cff300, 0xffff) },   /* data DPL1 */
        { D(0x00af9a00, 0xffff), 0, D(0x00affb00, 0xffff) },   /* 64-bit DPL0 */
        { D(0x00affb00, 0xffff), 0, D(0x00affb00, 0xffff) },   /* 64-bit DPL3 */
        /* TSS, busy TSS, TSS DPL3, LDT; interrupt gate (DPL 0, 3), trap
         * gate, 16-bit call gate, task gate. */
        { D(0x00008900, 0x0067), EINVAL_, 0 }, { D(0x00008b00, 0x0067), EINVAL_, 0 },
        { D(0x0000e900, 0x0067), EINVAL_, 0 }, { D(0x00008200, 0x0fff), EINVAL_, 0 },
        { D(0x00008e00, 0xe0081000), EINVAL_, 0 },
        { D(0x0000ee00, 0xe0331000), EINVAL_, 0 },
        { D(0x00008f00, 0xe0081000), EINVAL_, 0 },
        { D(0x00008400, 0xe0331000), EINVAL_, 0 },
        { D(0x00008500, 0xe0331000), EINVAL_, 0 },
        /* Call gates (Xen's rules): stored with DPL 0 and the target's RPL
         * 3; reserved bits (IST/params byte) refused, never cleared; the
         * target any guest GDT or LDT entry, or exactly 0xe033. */
        { D(0x5678ec00, 0xe0331234), 0, D(0x56788c00, 0xe0331234) }, /* CS64 */
        { D(0x56788c00, 0xe0331234), 0, D(0x56788c00, 0xe0331234) }, /* DPL0 */
        { D(0x56788c85, 0xe0331234), EINVAL_, 0 },                 /* rsvd */
        { D(0x0000ec01, 0xe0331234), EINVAL_, 0 },                 /* rsvd */
        { D(0x00008c00, 0x00101234), 0, D(0x00008c00, 0x00131234) }, /* GDT 2 */
        { D(0x00008c00, 0xdffb1234), 0, D(0x00008c00, 0xdffb1234) }, /* 7167 */
        { D(0x00008c00, 0xe00f1234), 0, D(0x00008c00, 0xe00f1234) }, /* LDT */
        { D(0x00008c00, 0xe00c1234), 0, D(0x00008c00, 0xe00f1234) }, /* LDT rpl0 */
        { D(0x0000ac00, 0x00001234), 0, D(0x00008c00, 0x00031234) }, /* null */
        /* ... to hv code 0xe008, its RPL-0 twin of 0xe033, the compat
         * code selector, hv entry 7168. */
        { D(0x00008c00, 0xe0081234), EINVAL_, 0 },
        { D(0x0000ec00, 0xe0301234), EINVAL_, 0 },
        { D(0x0000ec00, 0xe0231234), EINVAL_, 0 },
        { D(0x00008c00, 0xe0031234), EINVAL_, 0 },
        /* Type 0 (a 64-bit gate's upper half), present or not: unchanged. */
        { D(0x00008000, 0x12345678), 0, D(0x00008000, 0x12345678) },
        { D(0x00000000, 0xffffffff), 0, D(0x00000000, 0xffffffff) },
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(c); i++) {
        uint64_t d = c[i].in;
        int rc = check_descriptor(&d);
        if (rc != c[i].rc || d != (rc ? c[i].in : c[i].out))
            fprintf(stderr, "  descriptor case %u: 0x%016llx\n", i,
                    (unsigned long long)c[i].in);
        CHECK_EQ(rc, c[i].rc);
        CHECK_EQ(d, rc ? c[i].in : c[i].out);
    }
    /* A descriptor page with one bad entry never becomes PGT_seg_desc. */
    reset();
    mfn_t f = frame(1);
    uint64_t *dp = mfn_to_virt(f);
    dp[1] = D(0x00af9a00, 0xffff);
    dp[3] = D(0x5678ec00, 0xe0331234);
    dp[4] = D(0, 0xffffffff);
    dp[500] = D(0x00008900, 0x0067);
    snapshot();
    CHECK_EQ(get_page_type(f, &d1, PGT_seg_desc), EINVAL_);
    CHECK_UNUSED(f);
    CHECK(unchanged());
    dp[500] = 0;
    CHECK_EQ(get_page_and_type(f, &d1, PGT_seg_desc), 0);
    CHECK_FRAME(f, PGT_seg_desc, 1, 1, 0);
    CHECK_EQ(dp[1], D(0x00affb00, 0xffff));
    CHECK_EQ(dp[3], D(0x56788c00, 0xe0331234));
    CHECK_EQ(get_page_type(f, &d1, PGT_l1), EINVAL_);
    put_page_and_type(f, &d1);
    CHECK(unchanged());
}

/* A former L1 can stay reachable through a cached L2 entry (paging-
 * structure cache) after mod_pt_entry unhooks it: before the guest may
 * map it writable, its owner's TLBs are flushed (as Xen does on every
 * type change of a frame whose translations may still be cached). */
static void test_table_to_writable_flushes(void)
{
    reset();
    int lvl;
    mfn_t l2 = frame(1), x = frame(1), y = frame(1);
    tab(l2)[0] = ent(x, P | RW);
    CHECK_EQ(get_page_and_type(l2, &d1, PGT_l2), 0);
    CHECK_EQ(MOD(l2, 0, ent(y, P | RW)), 0);
    CHECK_UNUSED(x);                             /* x is no longer an L1 */
    CHECK_EQ(get_page_type(x, &d1, PGT_writable), 0);
    CHECK_EQ(n_flush, 1);                        /* expected: a flush first */
}

#define LIN(m) frame_table[m].linear_pt_count

static void test_linear(void)
{
    reset();
    int lvl;
    struct tree t = mk_tree();
    CHECK_EQ(get_page_and_type(t.l4, &d1, PGT_l4), 0);
    /* A recursive L4 slot: read-only only; no references, adjusted. */
    snapshot();
    CHECK_EQ(MOD(t.l4, 300, ent(t.l4, P | RW)), EINVAL_);
    CHECK(unchanged());
    CHECK_EQ(MOD(t.l4, 300, ent(t.l4, P)), 0);
    CHECK_EQ(lvl, 4); CHECK_EQ(tab(t.l4)[300], ent(t.l4, P | U | _PAGE_ACCESSED));
    CHECK_FRAME(t.l4, PGT_l4, 1, 1, 0); CHECK_EQ(LIN(t.l4), 0);
    /* Another L4 with a linear entry to it, by validation. */
    mfn_t b = frame(1), c = frame(1), w = typed_frame(1, PGT_writable);
    CHECK_REJECT(b, PGT_l4, 1, ent(t.l4, P | RW), EINVAL_);
    CHECK_REJECT(b, PGT_l4, 1, ent(t.l2, P), EINVAL_);          /* an L2 */
    tab(b)[1] = ent(t.l4, P);
    CHECK_EQ(get_page_and_type(b, &d1, PGT_l4), 0);
    CHECK_FRAME(t.l4, PGT_l4, 2, 2, 0); CHECK_EQ(LIN(t.l4), -1); CHECK_EQ(LIN(b), 1);
    /* XSA-240: no chains.  b holds a linear entry: no table may point at
     * it; t.l4 is a target: it may hold none to another table. */
    CHECK_REJECT(c, PGT_l4, 0, ent(b, P), EINVAL_);
    snapshot();
    CHECK_EQ(MOD(t.l4, 301, ent(b, P)), EINVAL_);
    CHECK_EQ(MOD(b, 2, ent(t.l4, P | RW)), EINVAL_);
    CHECK_EQ(MOD(b, 2, ent(w, P)), EINVAL_);                 /* not a table */
    CHECK(unchanged());
    /* More entries to the same target are fine, by update too. */
    CHECK_EQ(MOD(b, 2, ent(t.l4, P)), 0);
    CHECK_FRAME(t.l4, PGT_l4, 3, 3, 0); CHECK_EQ(LIN(t.l4), -2); CHECK_EQ(LIN(b), 2);
    CHECK_EQ(MOD(b, 2, 0), 0);
    CHECK_FRAME(t.l4, PGT_l4, 2, 2, 0); CHECK_EQ(LIN(t.l4), -1); CHECK_EQ(LIN(b), 1);
    /* t.l4's own reference goes: b's linear entry keeps it validated ... */
    put_page_and_type(t.l4, &d1);
    CHECK_FRAME(t.l4, PGT_l4, 1, 1, 0); CHECK_FRAME(t.l3, PGT_l3, 1, 1, 0);
    /* ... until b is devalidated: then the whole tree goes. */
    put_page_and_type(b, &d1);
    CHECK_UNUSED(b); CHECK_EQ(LIN(b), 0);
    CHECK_UNUSED(t.l4); CHECK_EQ(LIN(t.l4), 0); CHECK_UNUSED(t.l3); CHECK_UNUSED(t.l1);
    /* L2 -> L2 and L3 -> L3, by validation. */
    mfn_t l2a = frame(1), l2b = frame(1), l3a = frame(1), l3b = frame(1);
    CHECK_EQ(get_page_and_type(l2a, &d1, PGT_l2), 0);
    tab(l2b)[5] = ent(l2a, P); tab(l2b)[6] = ent(l2b, P);
    CHECK_EQ(get_page_and_type(l2b, &d1, PGT_l2), 0);
    CHECK_FRAME(l2a, PGT_l2, 2, 2, 0); CHECK_EQ(LIN(l2a), -1); CHECK_EQ(LIN(l2b), 1);
    CHECK_FRAME(l2b, PGT_l2, 1, 1, 0);
    CHECK_EQ(get_page_and_type(l3a, &d1, PGT_l3), 0);
    tab(l3b)[7] = ent(l3a, P);
    CHECK_EQ(get_page_and_type(l3b, &d1, PGT_l3), 0);
    CHECK_FRAME(l3a, PGT_l3, 2, 2, 0); CHECK_EQ(LIN(l3a), -1); CHECK_EQ(LIN(l3b), 1);
    CHECK_EQ(MOD(l3a, 0, ent(l3b, P)), EINVAL_);             /* a chain */
    CHECK_EQ(MOD(l3b, 7, ent(l2a, P)), 0);                   /* now a plain L2 entry */
    CHECK_FRAME(l3a, PGT_l3, 1, 1, 0); CHECK_EQ(LIN(l3a), 0); CHECK_EQ(LIN(l3b), 0);
    CHECK_FRAME(l2a, PGT_l2, 3, 3, 0);
    put_page_and_type(l3b, &d1); put_page_and_type(l2b, &d1);
    CHECK_FRAME(l2a, PGT_l2, 1, 1, 0); CHECK_EQ(LIN(l2a), 0);
    CHECK_UNUSED(l2b); CHECK_UNUSED(l3b);
}

/* After every test above: no transient map left, and the deepest
 * nesting (a table validated while its parent is) within the cache. */
static void test_maps_released(void)
{
    CHECK_EQ(maps_held, 0);
    CHECK(maps_max >= 4);
    CHECK(maps_max <= MAPCACHE_VCPU_ENTRIES);
}

int main(void)
{
    RUN(test_get_page);
    RUN(test_l1_validation);
    RUN(test_l1_rejects);
    RUN(test_lx_rejects);
    RUN(test_l4_slots);
    RUN(test_devalidate_tree);
    RUN(test_stale_writable);
    RUN(test_shared_subtree);
    RUN(test_mod_pt_entry);
    RUN(test_iomem);
    RUN(test_user_adjust);
    RUN(test_descriptors);
    RUN(test_table_to_writable_flushes);
    RUN(test_linear);
    RUN(test_maps_released);
    free(frame_table);
    return unit_summary();
}
