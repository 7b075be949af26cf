/* Page types and references for PV guest frames (Xen's model, our code).
 * A frame becomes a page table of level N or a descriptor page only by
 * validation: every entry it holds must be acceptable and takes its own
 * references (an L1 entry: the mapped frame, plus a writable type if it
 * maps read-write; an L2-L4 entry: a validated table of the next level).
 * Levels strictly decrease along every reference, except along linear
 * entries (Xen's pv-linear-pt, on by default): a read-only L2-L4 entry to
 * a validated table of its own level (or to its own table), so a frame can
 * never be both a table and writable, and a guest reaches its tables only
 * read-only.  A frame
 * whose type changes (table to writable, writable to table, ...) first
 * has its owner's TLBs flushed, as stale translations may still use it.  Pure code
 * over frame_table and maddr_to_virt(): host tests run it unchanged. */
#include "iomem.h"
#include "domain_page.h"
#include "page.h"
#include "lib.h"
#include "public/errno.h"
#include "strategy.h"
#include "traps.h"

#define MAX_REFS 0x7fffffffU

/* Xen's get_page_from_mfn: any failure (no such frame, not d's, the
 * count would overflow) is -EINVAL to its callers. */
int get_page(mfn_t mfn, const struct domain *d)
{
    if (mfn > max_mfn)
        return -XEN_EINVAL;
    struct page_info *pg = mfn_to_page(mfn);
    if (pg->owner != d->domain_id || pg->count >= MAX_REFS)
        return -XEN_EINVAL;
    pg->count++;
    return 0;
}

void put_page(mfn_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);
    if (pg->count)
        pg->count--;
}

/* ---- linear page tables (Xen's get_l[234]_linear_pagetable) ---- */

/* The table gains an entry to another table of its level: refused while
 * the table is itself the target of such entries, or on overflow. */
static bool inc_linear_entries(struct page_info *pg)
{
    if (pg->linear_pt_count < 0 || pg->linear_pt_count == INT16_MAX)
        return false;
    pg->linear_pt_count++;
    return true;
}
static void dec_linear_entries(struct page_info *pg) { pg->linear_pt_count--; }

/* The table becomes the target of one more linear entry: refused while it
 * holds linear entries itself, or on overflow. */
static bool inc_linear_uses(struct page_info *pg)
{
    if (pg->linear_pt_count > 0 || pg->linear_pt_count == INT16_MIN)
        return false;
    pg->linear_pt_count--;
    return true;
}
static void dec_linear_uses(struct page_info *pg) { pg->linear_pt_count++; }

/* Entry e of d's level-`level` table `table` (2-4), refused as an entry to
 * a next-level table: acceptable as a linear entry?  Only read-only (or the
 * guest could write its own tables); an entry to `table` itself takes no
 * references (it must not keep its own table alive); one to another table
 * takes a reference and a type reference of an already validated table of
 * the same level, which must hold no linear entries while `table` is no
 * linear target (XSA-240). */
static bool get_linear_pagetable(struct domain *d, mfn_t table, int level, pte_t e)
{
    if (e & _PAGE_RW)
        return false;
    mfn_t mfn = pte_addr(e) >> PAGE_SHIFT;
    if (mfn == table)
        return true;
    struct page_info *ptpg = mfn_to_page(table);
    if (ptpg->owner != d->domain_id || get_page(mfn, d))
        return false;
    struct page_info *pg = mfn_to_page(mfn);
    if (!inc_linear_entries(ptpg)) {
        put_page(mfn);
        return false;
    }
    if (!inc_linear_uses(pg)) {
        dec_linear_entries(ptpg);
        put_page(mfn);
        return false;
    }
    if (pg->type != PGT_l1 + level - 1 || !pg->type_count || pg->type_count >= MAX_REFS) {
        dec_linear_uses(pg);
        dec_linear_entries(ptpg);
        put_page(mfn);
        return false;
    }
    pg->type_count++;
    return true;
}

/* ---- one entry's references ---- */

static int get_entry_refs(struct domain *d, mfn_t table, int level, pte_t e)
{
    if (!(e & _PAGE_PRESENT))
        return 0;
    if (e & (level == 1 ? L1_DISALLOW_MASK : LX_DISALLOW_MASK))
        return -XEN_EINVAL;
    mfn_t mfn = pte_addr(e) >> PAGE_SHIFT;
    if (level > 1) {
        int rc = get_page_and_type(mfn, d, PGT_l1 + level - 2);
        if (rc == -XEN_EINVAL && get_linear_pagetable(d, table, level, e))
            rc = 0;
        return rc;
    }
    /* Xen's get_page_from_l1e: a frame that is no RAM (or in the first
     * MiB) is I/O memory, which only dom0 may map, where its iomem_caps
     * permit, with no reference held (iomem.c); else -EPERM.  A RAM frame
     * that is not d's, or that cannot be writable now, "could not pin"
     * (-EBUSY). */
    if (mfn > max_mfn || get_page(mfn, d)) {
        if (is_iomem_frame(mfn))
            return iomem_access_permitted(d, mfn) ? 0 : -XEN_EPERM;
        return mfn > max_mfn ? -XEN_EPERM : -XEN_EBUSY;
    }
    if (!(e & _PAGE_RW))
        return 0;
    if (get_page_type(mfn, d, PGT_writable)) {
        put_page(mfn);
        return -XEN_EBUSY;
    }
    return 0;
}

/* Xen's put_page_from_l[1-4]e: an entry of a table to the table itself
 * holds nothing; one to a table of the same level is a linear entry, and
 * gives back its linear counts (the type it holds keeps that level). */
static void put_entry_refs(struct domain *d, mfn_t table, int level, pte_t e)
{
    if (!(e & _PAGE_PRESENT))
        return;
    mfn_t mfn = pte_addr(e) >> PAGE_SHIFT;
    if (level > 1 && mfn == table)
        return;
    /* Every reference an L1 entry holds is on a frame of d's (owners
     * never change): any other frame is I/O memory, which holds none. */
    if (level == 1 && unlikely(mfn > max_mfn || mfn_to_page(mfn)->owner != d->domain_id))
        return;
    if (level > 1 && mfn_to_page(mfn)->type == PGT_l1 + level - 1) {
        dec_linear_uses(mfn_to_page(mfn));
        dec_linear_entries(mfn_to_page(table));
    }
    if (level > 1 || (e & _PAGE_RW))
        put_page_type(mfn, d);
    put_page(mfn);
}

/* ---- validation of a whole frame ---- */

static bool entry_in_scope(int level, unsigned int i)
{
    return level != 4 || is_guest_l4_slot(i);
}

static void devalidate_table(struct domain *d, mfn_t mfn, int level, unsigned int upto)
{
    pte_t *tab = map_domain_page(mfn);
    for (unsigned int i = 0; i < upto; i++)
        if (entry_in_scope(level, i))
            put_entry_refs(d, mfn, level, tab[i]);
    unmap_domain_page(tab);
}

static int validate_table(struct domain *d, mfn_t mfn, int level)
{
    pte_t *tab = map_domain_page(mfn);
    for (unsigned int i = 0; i < 512; i++) {
        if (!entry_in_scope(level, i))
            continue;
        int rc = get_entry_refs(d, mfn, level, tab[i]);
        if (rc) {
            unmap_domain_page(tab);
            devalidate_table(d, mfn, level, i);
            return rc;
        }
        /* Atomic: a stale paging-structure cache may still walk this
         * frame and set accessed/dirty bits meanwhile. */
        pte_t e = tab[i];
        if (adjust_guest_entry(level, e) != e)
            __atomic_fetch_or(&tab[i], adjust_guest_entry(level, e) ^ e, __ATOMIC_RELAXED);
    }
    if (level == 4)
        strategy_init_guest_l4(d, mfn, tab);
    unmap_domain_page(tab);
    return 0;
}

static int validate_desc_page(mfn_t mfn)
{
    uint64_t *desc = map_domain_page(mfn);
    int rc = 0;
    for (unsigned int i = 0; i < 512 && !rc; i++)
        if (check_descriptor(&desc[i]))
            rc = -XEN_EINVAL;
    unmap_domain_page(desc);
    return rc;
}

int get_page_type(mfn_t mfn, struct domain *d, unsigned int type)
{
    struct page_info *pg = mfn_to_page(mfn);
    int rc = 0;

    if (pg->type_count) {
        if (pg->type != type || pg->type_count >= MAX_REFS)
            return -XEN_EINVAL;             /* Xen's _get_page_type */
        pg->type_count++;
        return 0;
    }
    if ((pg->flags & PGF_stale) && PGF_STALE_TYPE(pg->flags) != type) {
        page_flush_stale_tlbs(d);
        pg->flags &= ~(PGF_stale | (7U << PGF_STALE_TYPE_SHIFT));
    }
    /* Take the type before validating: a reference cycle back to this
     * frame then meets a type conflict. */
    pg->type = type;
    pg->type_count = 1;
    if (is_pt_type(type))
        rc = validate_table(d, mfn, type - PGT_l1 + 1);
    else if (type == PGT_seg_desc)
        rc = validate_desc_page(mfn);
    if (rc) {
        pg->type = PGT_none;
        pg->type_count = 0;
    }
    return rc;
}

void put_page_type(mfn_t mfn, struct domain *d)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (!pg->type_count || --pg->type_count)
        return;
    if (is_pt_type(pg->type)) {
        devalidate_table(d, mfn, pg->type - PGT_l1 + 1, 512);
        if (pg->type == PGT_l4)
            strategy_free_guest_l4(d, mfn);
    }
    /* Writable mappings, or walks through this table, may linger. */
    pg->flags = (pg->flags & ~(7U << PGF_STALE_TYPE_SHIFT)) | PGF_stale |
                (pg->type << PGF_STALE_TYPE_SHIFT);
    pg->type = PGT_none;
}

int get_page_and_type(mfn_t mfn, struct domain *d, unsigned int type)
{
    int rc = get_page(mfn, d);
    if (rc)
        return rc;
    rc = get_page_type(mfn, d, type);
    if (rc)
        put_page(mfn);
    return rc;
}

void put_page_and_type(mfn_t mfn, struct domain *d)
{
    put_page_type(mfn, d);
    put_page(mfn);
}

/* ---- updates of live tables ---- */

int mod_pt_entry_ad(struct domain *d, mfn_t table, unsigned int idx, pte_t val,
                    bool preserve_ad, int *level)
{
    if (table > max_mfn || idx >= 512)
        return -XEN_EINVAL;
    struct page_info *pg = mfn_to_page(table);
    if (pg->owner != d->domain_id)
        return -XEN_EINVAL;             /* Xen: no page for the update */
    if (!is_pt_type(pg->type) || !pg->type_count)
        return -XEN_EINVAL;
    int lvl = pg->type - PGT_l1 + 1;
    *level = lvl;
    if (!entry_in_scope(lvl, idx))
        return -XEN_EINVAL;
    val = adjust_guest_entry(lvl, val);

    pte_t *tab = map_domain_page(table);
    pte_t old = tab[idx];
    int rc = get_entry_refs(d, table, lvl, val);
    if (rc) {
        unmap_domain_page(tab);
        return rc;
    }
    if (preserve_ad) {
        /* What a page walk set meanwhile stays set. */
        while (!__atomic_compare_exchange_n(&tab[idx], &old,
                                            val | (old & (_PAGE_ACCESSED | _PAGE_DIRTY)),
                                            false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
            ;
    } else {
        __atomic_store_n(&tab[idx], val, __ATOMIC_RELEASE);
    }
    unmap_domain_page(tab);
    put_entry_refs(d, table, lvl, old);
    return 0;
}

pte_t *guest_l1e_ptr(struct domain *d, mfn_t table, unsigned int idx)
{
    if (table > max_mfn || idx >= 512)
        return NULL;
    struct page_info *pg = mfn_to_page(table);
    if (pg->owner != d->domain_id || pg->type != PGT_l1 || !pg->type_count)
        return NULL;
    return (pte_t *)map_domain_page(table) + idx;
}

void put_page_from_l1e(struct domain *d, pte_t e)
{
    put_entry_refs(d, 0, 1, e);
}

/* ---- descriptors ---- */

#define DESC_P    (1U << 15)
#define DESC_S    (1U << 12)
#define DESC_DPL  (3U << 13)
#define DESC_ACCESSED (1U << 8)

/* A call gate's target, Xen's guest_gate_selector_okay for 64-bit PV:
 * any guest GDT entry, any LDT entry, or exactly the hv's flat ring-3
 * 64-bit code selector (the guest kernel's CS). */
static bool gate_selector_ok(uint16_t sel)
{
    return (sel >> 3) < FIRST_RESERVED_GDT_ENTRY || sel == FLAT_KERNEL_CS64 || (sel & 4);
}

/* Xen's check_descriptor for 64-bit PV guests: not-present descriptors
 * and the type-0 upper half of a 64-bit gate go in unchanged; code and
 * data segments get DPL 3 (the guest kernel runs in ring 3); call gates
 * must target guest code, have no reserved bits set (refused, never
 * cleared) and are stored with DPL 0, so that every use of one faults
 * into the hv, with the guest's DPL (3) kept in the target's RPL.
 * Everything else (TSS, LDT, interrupt/trap/task gates) is refused.
 * One deviation: code/data segments also get the accessed bit, since
 * asilab maps GDT/LDT frames read-only in the vCPU's window (Xen maps
 * them writable and lets the CPU set the bit). */
int check_descriptor(uint64_t *desc)
{
    uint32_t a = (uint32_t)*desc, b = (uint32_t)(*desc >> 32);

    if (!(b & DESC_P))                  /* not present: always faults */
        return 0;
    b |= DESC_DPL;                      /* Xen's __fixup_guest_selector: DPL >= 3 */
    if (b & DESC_S) {
        b |= DESC_ACCESSED;
    } else {
        unsigned int type = (b >> 8) & 0xf;
        uint16_t cs = a >> 16;
        if (type == 0)
            return 0;                   /* harmless: a 64-bit gate's upper half */
        if (type != 0xc || !gate_selector_ok(cs))
            return -XEN_EINVAL;         /* TSS, LDT, interrupt/trap gates, ... */
        b &= ~DESC_DPL;
        cs = (cs & ~3) | 3;
        a = (a & 0xffff) | ((uint32_t)cs << 16);
        if (b & 0xff)                   /* reserved in 64-bit gates */
            return -XEN_EINVAL;
    }
    *desc = a | ((uint64_t)b << 32);
    return 0;
}
